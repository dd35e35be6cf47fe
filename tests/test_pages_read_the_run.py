"""The notebooks read only the run folder: no input path, no validation, no recount; re-runs are byte-identical."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reportkit import views
from reportkit.demo import SAMPLE_RUN_PARTS, write_sample_run
from reportkit.paths import NOTEBOOKS_DIR, SAMPLE_RUN_DIR, sample_inputs
from reportkit.runner import run
from scripts.generate_golden import sample_paths
from tests.conftest import H1_2025_END, complaint

ALLOWED_IMPORTS = {"IPython.display", "reportkit"}


@pytest.mark.parametrize("name", ["validation.ipynb", "annex1.ipynb", "return.ipynb"])
def test_notebooks_import_only_the_rendering_module_and_take_only_the_run_folder(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    imported: set[str] = set()
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module)
                if node.module == "reportkit":
                    assert [alias.name for alias in node.names] == ["views"]
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert imported <= ALLOWED_IMPORTS
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    names = {t.id for n in ast.walk(ast.parse(parameters.source)) if isinstance(n, ast.Assign) for t in n.targets}
    assert names <= {"run_dir", "return_stem"}


def test_the_bundled_sample_run_is_what_a_run_of_the_sample_writes(tmp_path: Path) -> None:
    fresh = write_sample_run(sample_inputs(), tmp_path / "run")
    bundled = sorted(p.relative_to(SAMPLE_RUN_DIR) for p in SAMPLE_RUN_DIR.rglob("*") if p.is_file())
    assert bundled == sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    for relative in bundled:
        if relative.name == "run.json":  # the run id and commit change with every commit of reportkit
            keep = {
                k: v for k, v in json.loads((fresh / relative).read_text()).items() if k not in ("run_id", "commit")
            }
            old = {
                k: v
                for k, v in json.loads((SAMPLE_RUN_DIR / relative).read_text()).items()
                if k not in ("run_id", "commit")
            }
            assert keep == old, "regenerate: python scripts/generate_sample.py"
        else:
            assert (fresh / relative).read_bytes() == (SAMPLE_RUN_DIR / relative).read_bytes(), relative
    assert SAMPLE_RUN_PARTS[0] == "run.json"


def test_views_read_the_run_folder(tmp_path: Path) -> None:
    view = views.load_return(None, "annex1")  # the bundled sample run
    document = json.loads((SAMPLE_RUN_DIR / "returns" / "annex1.json").read_text())
    assert view.document == document
    facts = pd.read_parquet(SAMPLE_RUN_DIR / "facts" / "annex1.parquet")
    assert views.days_to_close(view).tolist() == facts["days_to_close"].tolist()
    closed = sum(
        (cells[b] or 0)
        for cells in document["tables"]["5"].values()
        for b in ("closed_within_3_days", "closed_3_days_to_8_weeks", "closed_after_8_weeks")
    )
    closed += sum((cells["closed"] or 0) for cells in document["tables"]["B"].values())
    assert len(facts) == closed  # one row per complaint the return counts as closed in the period
    assert view.redress_basis.startswith("Redress basis: closed_in_period")
    summary = views.run_summary(None)
    assert summary.startswith("Run **") and "complaints `complaints.csv` (7,650 rows)" in summary


def test_run_folder_holds_no_path_and_pages_need_nothing_else(ws, tmp_path: Path) -> None:
    rows = [complaint("C1", "2025-02-03", "2025-02-10", "upheld"), complaint("C2", "2025-03-03")]
    folder = run(ws.paths(rows), "123456", H1_2025_END, tmp_path / "out", lambda _: None, notebooks=False).folder
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            data = path.read_bytes()
            assert str(tmp_path).encode() not in data and str(ws.root).encode() not in data, path
    # Inputs moved away: the pages still render from the run folder alone.
    for name in ("complaints.csv", "config.yaml"):
        (ws.root / name).rename(ws.root / f"moved-{name}")
    view = views.load_return(str(folder), "annex1")
    assert view.document["header"]["opened"] == 2 and views.days_to_close(view).tolist() == [7]


@pytest.mark.slow
def test_a_rerun_into_another_folder_is_byte_identical_but_the_execution_record(tmp_path: Path) -> None:
    first = run(sample_paths(), "300001", pd.Timestamp("2025-12-31").date(), tmp_path / "a", lambda _: None).folder
    second = run(sample_paths(), "300001", pd.Timestamp("2025-12-31").date(), tmp_path / "b", lambda _: None).folder
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    differing = [str(p) for p in files if (first / p).read_bytes() != (second / p).read_bytes()]
    assert differing == ["html/index.html", "manifest.json"]  # who ran it and when: these two only
    assert any(str(p).startswith("html/") for p in files) and any(str(p).endswith(".xlsx") for p in files)


@pytest.mark.slow
def test_each_page_is_handed_to_the_workers_only_once_what_it_reads_is_written(tmp_path: Path, monkeypatch) -> None:
    """Pages start while the rest of the run is written (NotebookRuns.submit per page): the validation page once
    validation/ and run.json exist, a return's page once its return, lineage and facts do."""
    from reportkit import runner

    seen: dict[str, list[str]] = {}
    real = runner.NotebookRuns.submit

    def submit(self, jobs) -> None:
        for _, stem, return_stem in jobs:
            reads = ["run.json", "validation/warnings.csv", "validation/checks.csv"]
            if return_stem is not None:
                reads += [f"returns/{return_stem}.json", f"lineage/{return_stem}.parquet"]
                reads += [f"facts/{return_stem}.parquet", f"facts/{return_stem}-complaints.parquet"]
            seen[stem] = [name for name in reads if not (self.staging / name).is_file()]
        real(self, jobs)

    monkeypatch.setattr(runner.NotebookRuns, "submit", submit)
    outcome = run(sample_paths(), "sample-group", pd.Timestamp("2025-12-31").date(), tmp_path / "o", lambda _: None)
    pages = {p.stem for p in (outcome.folder / "html").glob("*.html")}
    assert "validation" in seen and "annex1" in seen and set(seen) <= pages
    # A file a page may read and the run writes (not every return has lineage or charted facts) was there
    # before its page was handed over.
    late = {stem: [name for name in missing if (outcome.folder / name).is_file()] for stem, missing in seen.items()}
    assert {stem: names for stem, names in late.items() if names} == {}
    assert (outcome.folder / "facts" / "annex1.parquet").is_file() and (outcome.folder / "run.json").is_file()


def test_notebook_workers_run_at_a_lower_priority_than_the_run(tmp_path: Path) -> None:
    import os

    from reportkit.runner import WORKER_NICENESS, _stop_workers, notebook_pool

    pool = notebook_pool(tmp_path)
    try:
        assert pool.submit(os.nice, 0).result(timeout=60) == min(19, os.nice(0) + WORKER_NICENESS)
    finally:
        _stop_workers(pool)


@pytest.mark.slow
def test_pages_rendered_by_one_exporter_are_those_a_fresh_exporter_renders(tmp_path: Path) -> None:
    # A worker compiles the page templates once and renders every page of its run with them.
    from reportkit.notebooks import page_exporter, render_html

    folder = run(sample_paths(), "300001", pd.Timestamp("2025-12-31").date(), tmp_path / "out", lambda _: None).folder
    executed = sorted(folder.glob("notebooks/*.ipynb"))
    assert len(executed) >= 3  # validation, annex1, annex1c
    page_exporter()  # made once, then used for every page
    again = [render_html(nb, tmp_path / "again" / f"{nb.stem}.html") for nb in executed]
    for notebook, page in zip(executed, again, strict=True):
        assert page.read_bytes() == (folder / "html" / f"{notebook.stem}.html").read_bytes(), notebook.name
        page_exporter.cache_clear()  # a fresh exporter, as each page had before
        fresh = render_html(notebook, tmp_path / "fresh" / f"{notebook.stem}.html")
        assert page.read_bytes() == fresh.read_bytes(), notebook.name
