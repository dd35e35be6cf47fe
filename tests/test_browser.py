"""The rendered pages in a real browser (Debian's Chromium, driven by Playwright): no request to another host, no
console error, a title naming the page, and no WCAG 2.1 AA violation that axe-core finds.

Without a browser these tests are skipped with the reason; on CI (the environment variable CI is set) a missing
browser fails them instead, so a green CI always means the pages were opened.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from reportkit import api
from reportkit.config import load_config
from reportkit.runner import run
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END, write_sample

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT = Path("/tmp/annex1.png")
"""One picture of the Annex 1 page, for the README (kept out of the repository)."""


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"playwright or axe-playwright-python is not installed ({exc}): pip install -e '.[test]'"
    if not CHROMIUM.is_file():
        return f"no browser at {CHROMIUM}: apt-get install -y chromium (as root), as .ci/run does"
    return None


def _require_browser() -> None:
    """Skip (with the reason) where no browser is installed; fail instead on CI."""
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must open the pages in a browser: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, browser) -> dict[str, Path]:
    """The demo's outputs: every sample entity run for the sample period, once for this module."""
    out = tmp_path_factory.mktemp("browser")
    paths = write_sample(out / "sample-data")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    return {entity: run(inputs, entity, SAMPLE_PERIOD_END, out, lambda _: None).folder for entity in SAMPLE_ENTITIES}


def _pages(runs: dict[str, Path]) -> list[Path]:
    return sorted(p for folder in runs.values() for p in [*folder.glob("html/*.html"), *folder.glob("returns/*.html")])


def _open(browser, page_file: Path):
    """Open a page from the file system; returns the page, the requests to other hosts and the console errors."""
    page = browser.new_page()
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri(), wait_until="load")
    return page, outside, errors


def test_the_demo_writes_the_pages_the_browser_tests_open(runs: dict[str, Path]) -> None:
    names = {f"{p.parent.parent.parent.name}/{p.parent.name}/{p.name}" for p in _pages(runs)}
    assert names == {
        "sample-group/html/index.html",
        "sample-group/html/validation.html",
        "sample-group/html/annex1.html",
        "sample-group/html/annex1-cells.html",
        "sample-group/html/annex1b.html",
        "sample-group/html/annex1b-cells.html",
        "sample-group/html/annex1ad--100001.html",
        "sample-group/html/annex1ad--100001-cells.html",
        "sample-group/html/annex1ad--100002.html",
        "sample-group/html/annex1ad--100002-cells.html",
        "sample-group/returns/annex1b.html",
        "200001/html/index.html",
        "200001/html/validation.html",
        "200001/html/annex1ab.html",
        "200001/html/annex1ab-cells.html",
        "200001/html/annex1b.html",
        "200001/html/annex1b-cells.html",
        "200001/returns/annex1b.html",
        "300001/html/index.html",
        "300001/html/validation.html",
        "300001/html/annex1.html",
        "300001/html/annex1-cells.html",
        "300001/html/annex1c.html",
        "300001/html/annex1c-cells.html",
    }


def test_every_page_loads_nothing_from_another_host_logs_no_error_and_has_a_specific_title(
    browser, runs: dict[str, Path]
) -> None:
    for page_file in _pages(runs):
        page, outside, errors = _open(browser, page_file)
        title = page.title()
        page.close()
        assert outside == [], f"{page_file}: requests to other hosts"
        assert errors == [], f"{page_file}: console errors"
        assert title and title != "Notebook", page_file
        if page_file.parent.name == "html":  # a rendered notebook: "<what> — <whose>, <period> — reportkit"
            assert title.endswith(" — reportkit") and "2025-12-31" in title, title


def test_the_pages_name_the_return_the_firm_and_the_period(browser, runs: dict[str, Path]) -> None:
    titles = {}
    for page_file in (runs["sample-group"] / "html" / "annex1.html", runs["200001"] / "html" / "annex1ab.html"):
        page, _, _ = _open(browser, page_file)
        titles[page_file.name] = (page.title(), page.locator("h1").first.inner_text().rstrip("¶").strip())
        if page_file.name == "annex1.html":
            page.screenshot(path=str(SCREENSHOT), full_page=False)
        page.close()
    assert titles["annex1.html"] == (
        "Annex 1 — Sample Bank plc (100001), 2025-07-01 to 2025-12-31 — reportkit",
        "Annex 1 — Sample Bank plc (100001), 2025-07-01 to 2025-12-31",
    )
    assert titles["annex1ab.html"][1] == "Annex 1AB — Sample Claims Ltd (200001), 2025-01-01 to 2025-12-31"


def test_charts_have_alt_text_stating_their_figures_and_no_stray_repr(browser, runs: dict[str, Path]) -> None:
    page, _, _ = _open(browser, runs["sample-group"] / "html" / "annex1.html")
    alts = page.locator("img").evaluate_all("images => images.map(i => i.alt)")
    text = page.locator("body").inner_text()
    page.close()
    assert len(alts) == 3
    assert alts[0].startswith("Bar chart of complaints opened in the period (complaints) by product group. ")
    assert alts[1].startswith("Histogram of days to close (calendar days) for ")
    assert alts[2].startswith("Bar chart of upheld (%) (% of complaints closed) by product group. ")
    assert "<Axes" not in text and "<Figure" not in text


def test_the_validation_page_names_the_entity_the_inputs_and_says_no_findings(browser, runs: dict[str, Path]) -> None:
    page, _, _ = _open(browser, runs["sample-group"] / "html" / "validation.html")
    text = page.locator("body").inner_text()
    tables = page.locator("table").count()
    checks = (
        page.locator("table")
        .first.locator("tbody tr")
        .evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.innerText))")
    )
    page.close()
    assert "Validation — Sample Banking Group (sample-group), period ending 2025-12-31" in text
    assert "complaints.csv" in text and "redress.csv" in text and "context.csv" in text
    assert text.count("No findings.") == 2
    assert tables == 1  # the checks that ran; no empty findings table
    assert len(checks) == 81  # 3 column and row checks per file, the suites and the named checks (4 for MI columns)
    # Only the group's members' rows are validated (other configured firms' rows are counted and skipped).
    data = runs["sample-group"].parents[1] / "sample-data"
    members = set(load_config(data / "config.yaml").groups["sample-group"].members)
    complaints = pd.read_csv(data / "complaints.csv", dtype=str)["firm_frn"].isin(members).sum()
    redress = pd.read_csv(data / "redress.csv", dtype=str)["firm_frn"].isin(members).sum()
    assert 0 < complaints < len(pd.read_csv(data / "complaints.csv", dtype=str))
    assert ["complaints.csv", "closed_before_received", f"{complaints:,}", "0", "0"] in checks
    assert ["redress.csv", "redress_without_complaint", f"{redress:,}", "0", "0"] in checks


@pytest.mark.parametrize(
    "page_path",
    [
        "sample-group/html/index.html",
        "300001/html/index.html",
        "sample-group/html/validation.html",
        "sample-group/html/annex1.html",
        "sample-group/html/annex1-cells.html",
        "sample-group/html/annex1b.html",
        "sample-group/html/annex1ad--100001.html",
        "sample-group/html/annex1ad--100001-cells.html",
        "sample-group/returns/annex1b.html",
        "200001/html/annex1ab.html",
        "200001/html/annex1ab-cells.html",
        "300001/html/annex1c.html",
        "300001/html/annex1c-cells.html",
    ],
)
def test_no_wcag_21_aa_violation(browser, runs: dict[str, Path], page_path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    entity, relative = page_path.split("/", 1)
    page, _, _ = _open(browser, runs[entity] / relative)
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    page.close()
    assert result.violations_count == 0, result.generate_report()


def test_without_a_browser_ci_fails_and_elsewhere_the_tests_skip_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(globals(), "CHROMIUM", tmp_path / "no-chromium")
    reason = f"no browser at {tmp_path / 'no-chromium'}: apt-get install -y chromium (as root), as .ci/run does"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(reason)):
        _require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(f"CI must open the pages in a browser: {reason}")):
        _require_browser()
