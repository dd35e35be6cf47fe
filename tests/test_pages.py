"""The rendered pages without a browser: self-contained, titled, charts with alt text and stable bytes, clean
validation pages that say so, and a kernel that keeps its log off the user's console."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reportkit import notebooks, views
from reportkit.errors import NotebookFailed
from reportkit.notebooks import execute, page_title, render_html
from reportkit.validation.report import ValidationReport, findings_frame


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    document = nbformat.v4.new_notebook()
    document.cells = list(cells)
    return document


def _markdown_output(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "<Markdown>"})]
    return cell


def test_the_page_title_is_the_first_level_1_heading_displayed_or_written() -> None:
    shown = _notebook(
        nbformat.v4.new_code_cell("run_dir = None"),
        _markdown_output("# Annex 1 — **Sample Bank plc** (100001), 2025-07-01 to 2025-12-31\n\nComplaints return"),
        nbformat.v4.new_markdown_cell("# A later heading"),
    )
    assert page_title(shown) == "Annex 1 — Sample Bank plc (100001), 2025-07-01 to 2025-12-31 — reportkit"
    written = _notebook(nbformat.v4.new_markdown_cell("Intro\n\n## Not level 1\n# `Validation` — X"))
    assert page_title(written) == "Validation — X — reportkit"
    assert page_title(_notebook(nbformat.v4.new_markdown_cell("## only level 2"))) == "reportkit"


def test_a_rendered_page_loads_no_script_and_nothing_from_another_host(tmp_path: Path) -> None:
    source = tmp_path / "page.ipynb"
    nbformat.write(_notebook(_markdown_output("# Validation — Sample (1), period ending 2025-12-31")), source)
    html = render_html(source, tmp_path / "html" / "page.html").read_text(encoding="utf-8")
    assert "<title>Validation — Sample (1), period ending 2025-12-31 — reportkit</title>" in html
    assert "<script" not in html  # require.js, MathJax, the widget manager and mermaid are all gone
    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert not re.findall(r"@import|url\(\s*['\"]?(?:https?:)?//", html)
    assert '<html lang="en">' in html


def test_a_bar_chart_states_every_bar_in_its_alt_text() -> None:
    series = pd.Series({"Banking and credit cards": 1200.0, "Insurance & pure protection": 33.0})
    assert views.chart_alt(series, "barh", "Complaints opened in the period", "complaints") == (
        "Bar chart of complaints opened in the period (complaints) by product group. "
        "Banking and credit cards: 1,200; Insurance & pure protection: 33."
    )


def test_a_histogram_states_its_count_range_median_and_how_many_lie_beyond_the_marker() -> None:
    days = pd.Series([1, 3, 10, 56, 57, 200])
    assert views.chart_alt(days, "hist", "Days to close", "calendar days", marker=56) == (
        "Histogram of days to close (calendar days) for 6 complaints: from 1 to 200, median 33, 2 above 56."
    )


def _shown_html(monkeypatch: pytest.MonkeyPatch, call) -> list[str]:
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda *objects: shown.extend(objects))
    assert call() is None  # nothing returned, so no "<Axes: ...>" repr line under the chart
    return [getattr(o, "data", str(o)) for o in shown]


def test_a_chart_is_one_png_with_escaped_alt_text_and_the_same_bytes_every_time(monkeypatch) -> None:
    series = pd.Series({"Home finance": 12.0, 'Say "5 < 6"': 4.0})
    first = _shown_html(monkeypatch, lambda: views.chart(series, "barh", "Upheld (%)", "% closed"))
    second = _shown_html(monkeypatch, lambda: views.chart(series, "barh", "Upheld (%)", "% closed"))
    assert first == second and len(first) == 1
    assert (
        'alt="Bar chart of upheld (%) (% closed) by product group. Home finance: 12; Say &quot;5 &lt; 6&quot;: 4."'
        in (first[0])
    )
    png = base64.b64decode(re.search(r"base64,([^\"]+)", first[0]).group(1))
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"matplotlib" not in png.lower()


def test_an_empty_chart_is_a_sentence_not_an_empty_image(monkeypatch) -> None:
    shown = _shown_html(monkeypatch, lambda: views.chart(pd.Series(dtype=float), "hist", "Days to close"))
    assert shown == ["*Days to close: nothing to chart for this period.*"]


def test_a_table_has_a_heading_on_every_column() -> None:
    frame = pd.DataFrame({"Opened": ["1", ""]}, index=["Current accounts", "Savings"])
    html = views.table(frame, "row").data
    assert re.findall(r"<th>(.*?)</th>", html) == ["row", "Opened"]
    assert "<th></th>" not in views.table(frame.reset_index(drop=True)).data
    assert 'class="dataframe text"' in views.table(frame, "row", text=True).data


def test_no_findings_is_said_in_words_not_shown_as_an_empty_table() -> None:
    empty = views.run_findings(None)
    assert empty.empty
    assert views.findings_table(empty).data == "*No findings.*"
    assert views.findings_table(views.findings_by_rule(empty)).data == "*No findings.*"


def test_the_validation_page_heading_names_the_entity_and_the_period() -> None:
    assert views.validation_heading(None) == (
        "# Validation — Sample Banking Group (sample-group), period ending 2025-12-31"
    )


def test_return_pages_open_with_their_own_heading() -> None:
    assert views.page_heading(views.load_return(None, "annex1ad--100002")) == (
        "# Annex 1AD — Sample Cards and Payments Ltd (100002), 2025-01-01 to 2025-12-31\n\n"
        "Electronic money and payment services complaints return (DISP 1 Annex 1AD)"
    )


def test_the_validation_records_each_check_with_the_rows_it_checked_and_what_it_found() -> None:
    report = ValidationReport()
    report.record("complaints.csv", ["closed_before_received", "no_category"], 3)
    report.record("redress.csv", ["money_ceiling"], 2)
    report.add(
        findings_frame(
            pd.DataFrame({"complaint_id": ["C1"], "_line": [2]}),
            severity="error",
            file="complaints.csv",
            column="closed_date",
            rule="closed_before_received",
            message="closed before received",
        )
    )
    assert report.checks.to_dict("records") == [
        {"file": "complaints.csv", "rule": "closed_before_received", "rows_checked": 3, "errors": 1, "warnings": 0},
        {"file": "complaints.csv", "rule": "no_category", "rows_checked": 3, "errors": 0, "warnings": 0},
        {"file": "redress.csv", "rule": "money_ceiling", "rows_checked": 2, "errors": 0, "warnings": 0},
    ]


def test_the_sample_run_lists_every_check_that_ran_on_every_input() -> None:
    checks = views.checks_that_ran(None)
    assert checks.groupby("file").size().to_dict() == {"complaints.csv": 44, "context.csv": 19, "redress.csv": 18}
    # The sample run is the group's: rows of the sample's other firms are counted and skipped, not validated.
    from reportkit.paths import sample_inputs

    members = ["100001", "100002", "100003"]
    expected = {
        f"{int(pd.read_csv(path, dtype=str)['firm_frn'].isin(members).sum()):,}"
        for role, path in sample_inputs().items()
        if role in ("complaints", "redress", "context")
    }
    assert set(checks["rows checked"]) == expected
    assert set(checks["errors"]) == {"0"}
    assert {"closed_before_received", "adviser_identifier_set", "redress_without_complaint"} <= set(checks["rule"])


@pytest.fixture
def scratch_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", tmp_path)
    return tmp_path


def test_the_kernel_keeps_its_log_off_the_console_and_a_failing_cell_is_still_reported(
    scratch_notebooks: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    good = _notebook(nbformat.v4.new_code_cell("print('computed', 6 * 7)"))
    nbformat.write(good, scratch_notebooks / "good.ipynb")
    executed = execute("good.ipynb", scratch_notebooks / "out" / "good.ipynb", {})
    assert nbformat.read(executed, as_version=4).cells[0].outputs[0]["text"] == "computed 42\n"
    bad = _notebook(nbformat.v4.new_code_cell("raise ValueError('no run.json')"))
    nbformat.write(bad, scratch_notebooks / "bad.ipynb")
    with pytest.raises(NotebookFailed, match=r"notebook bad.ipynb failed in cell 1 .*ValueError: no run.json"):
        execute("bad.ipynb", scratch_notebooks / "out" / "bad.ipynb", {})
    console = capfd.readouterr()
    assert "IPKernelApp" not in console.err + console.out  # no "without encryption", no KeyboardInterrupt
    assert "without encryption" not in console.err


def test_only_a_kernel_that_failed_to_start_is_started_again() -> None:
    from reportkit.notebooks import kernel_failed_to_start

    assert kernel_failed_to_start(RuntimeError("Kernel died before replying to kernel_info"))
    assert kernel_failed_to_start(RuntimeError("ZMQError: Address already in use"))
    assert not kernel_failed_to_start(RuntimeError("name 'x' is not defined"))


def _spare_kernel_answers(folder: str) -> bool:
    """In a worker: start a spare kernel, take it (ready, working in `folder`) and shut it down."""
    notebooks.start_spare_kernel()
    kernel = notebooks.take_spare_kernel(Path(folder))
    if kernel is None:
        return False
    notebooks._shut_down(kernel)
    return True


@pytest.mark.slow
def test_a_notebook_run_in_a_spare_kernel_is_the_notebook_papermill_makes_in_its_own(tmp_path: Path) -> None:
    """A worker starts the next notebook's kernel early (notebooks.start_spare_kernel); the page it executes
    must be byte for byte the one a kernel of papermill's own gives, and the kernel is shut down once used."""
    import shutil
    import time

    from jupyter_core.utils import run_sync

    from reportkit.paths import SAMPLE_RUN_DIR

    run = tmp_path / "run"
    shutil.copytree(SAMPLE_RUN_DIR, run)
    parameters = {"run_dir": "..", "return_stem": "annex1"}
    fresh = execute("annex1.ipynb", run / "notebooks" / "fresh.ipynb", parameters)
    notebooks.start_spare_kernel()
    started = time.monotonic()
    kernel = notebooks.take_spare_kernel(run / "notebooks")
    assert kernel is not None and notebooks._spare is None  # ready, and handed over once
    assert time.monotonic() - started < notebooks.SPARE_READY_SECONDS / 2  # it answered; no wait for a timeout
    in_spare = execute("annex1.ipynb", run / "notebooks" / "spare.ipynb", parameters, kernel=kernel)
    assert not run_sync(kernel.is_alive)()
    as_json = [nbformat.read(p, as_version=4) for p in (fresh, in_spare)]
    for document in as_json:
        document.metadata["papermill"].pop("output_path")  # the only difference: each file's own name
        assert [c.execution_count for c in document.cells if c.cell_type == "code"][:2] == [1, 2]
    assert nbformat.writes(as_json[0]) == nbformat.writes(as_json[1])


@pytest.mark.slow
def test_a_spare_kernel_works_in_the_notebooks_folder(scratch_notebooks: Path) -> None:
    cell = nbformat.v4.new_code_cell(
        "import os, sys\nprint(os.getcwd())\nprint('reportkit.views' in sys.modules, '_preload' in dir())"
    )
    nbformat.write(_notebook(cell), scratch_notebooks / "where.ipynb")
    notebooks.start_spare_kernel()
    out = scratch_notebooks / "elsewhere" / "where.ipynb"  # a folder not made yet
    kernel = notebooks.take_spare_kernel(out.parent)
    assert kernel is not None
    executed = execute("where.ipynb", out, {}, kernel=kernel)
    # In its folder, with the rendering module already imported and no name left behind by the start-up.
    assert nbformat.read(executed, as_version=4).cells[0].outputs[0]["text"] == f"{out.parent}\nTrue False\n"


@pytest.mark.slow
def test_a_worker_forked_after_notebooks_ran_here_gets_an_answering_spare_kernel(tmp_path: Path) -> None:
    """Workers are forked from a process that may have run notebooks itself (a test session, a notebook
    calling reportkit): the spare kernel must answer there too, not wait on an event-loop thread the fork
    did not copy."""
    import multiprocessing
    import shutil
    from concurrent.futures import ProcessPoolExecutor

    from reportkit.paths import SAMPLE_RUN_DIR

    run = tmp_path / "run"
    shutil.copytree(SAMPLE_RUN_DIR, run)
    execute("annex1.ipynb", run / "notebooks" / "here.ipynb", {"run_dir": "..", "return_stem": "annex1"})
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        assert pool.submit(_spare_kernel_answers, str(run / "notebooks")).result(timeout=120)


def test_names_from_the_configuration_are_shown_never_taken_as_markup(tmp_path) -> None:
    """A firm or group name is the user's text: `<script>` in it is escaped in every heading that shows it."""
    import json
    import shutil

    from reportkit.paths import SAMPLE_RUN_DIR

    run = tmp_path / "run"
    shutil.copytree(SAMPLE_RUN_DIR, run)
    facts = json.loads((run / "run.json").read_text(encoding="utf-8"))
    facts["entity_name"] = "<script>alert(1)</script> & Co"
    for firm in facts["firms"]:
        firm["name"] = "<b>Cards</b>"
    (run / "run.json").write_text(json.dumps(facts), encoding="utf-8")
    shown = [
        views.validation_heading(str(run)),
        views.run_summary(str(run)),
        views.page_heading(views.load_return(str(run), "annex1ad--100002")),
    ]
    assert all("<script>" not in text and "<b>" not in text for text in shown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in shown[0] and "&lt;b&gt;Cards&lt;/b&gt;" in shown[2]
