"""The review page (html/index.html): produced/skipped, due dates, reconciliation, tie-outs, findings, links."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportkit.runner import run
from scripts.generate_golden import sample_paths
from tests.conftest import H1_2025_END, complaint


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k in ("href", "src") and v]
        self.scripts += tag == "script"


@pytest.fixture(scope="module")
def group_run(tmp_path_factory) -> Path:
    return run(sample_paths(), "sample-group", dt.date(2025, 12, 31), tmp_path_factory.mktemp("o"), lambda _: None,
               notebooks=False).folder  # fmt: skip


def test_review_page_names_the_run_and_links_only_to_files_of_the_run(group_run: Path) -> None:
    page = (group_run / "html" / "index.html").read_text(encoding="utf-8")
    run_doc = json.loads((group_run / "run.json").read_text())
    manifest = json.loads((group_run / "manifest.json").read_text())
    assert f"<title>Review of run {run_doc['run_id']}: Sample Banking Group (sample-group)" in page
    assert manifest["ran_by"]["host"] in page and manifest["started_at"] in page
    parser = Links()
    parser.feed(page)
    assert parser.scripts == 0 and parser.hrefs
    for href in parser.hrefs:
        assert not re.match(r"^[a-z]+:", href), href  # no other host, no absolute path
        target = (group_run / "html" / href).resolve()
        assert target.is_file() or href.endswith(".html"), href  # pages exist when notebooks ran


def test_review_page_shows_due_dates_reconciliation_and_tie_outs(group_run: Path) -> None:
    page = (group_run / "html" / "index.html").read_text(encoding="utf-8")
    assert "<td>2026-02-12</td>" in page  # due 30 business days after 2025-12-31
    assert "<td>2026-02-28</td>" in page  # the Annex 1B publication deadline
    run_doc = json.loads((group_run / "run.json").read_text())
    steps = run_doc["reconciliation"]["annex1"]
    assert steps[0]["complaints"] == sum(s["complaints"] for s in steps[1:])  # the steps add up to the rows
    header = json.loads((group_run / "returns" / "annex1.json").read_text())["header"]
    assert steps[-1]["complaints"] >= header["opened"] + header["outstanding_at_start"]
    assert page.count("<td>PASS</td>") == sum(t["passed"] and t["must_hold"] for t in run_doc["tie_outs"]) > 10
    assert "<td>FAIL</td>" not in page and "differs (shown only)" in page
    assert "skipped" in page.lower()


def test_reconciliation_of_a_small_extract(ws, tmp_path) -> None:
    rows = [
        complaint("C1", "2025-02-03", "2025-02-04", "upheld"),
        complaint("C2", "2025-02-03", eligible_complainant="false"),
        complaint("C3", "2025-02-03", forwarded="entire"),
        complaint("C4", "2024-01-03", "2024-02-01", "upheld"),  # closed before the period
        complaint("C5", "2024-12-03"),  # outstanding at the start
    ]
    folder = run(ws.paths(rows), "123456", H1_2025_END, tmp_path / "o", lambda _: None, notebooks=False).folder
    steps = json.loads((folder / "run.json").read_text())["reconciliation"]["annex1"]
    assert [s["complaints"] for s in steps] == [5, 0, 1, 1, 1, 2]
