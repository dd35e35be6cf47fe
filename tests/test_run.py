"""`reportkit run` end to end: papermill and nbconvert really run; outputs, manifest, lineage, failures."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from reportkit import notebooks
from reportkit.errors import InputError, NotebookFailed, ValidationFailed
from reportkit.paths import NOTEBOOKS_DIR
from reportkit.runner import run
from scripts.generate_golden import GOLDEN_DIR, dumps, sample_paths
from tests.conftest import complaint

PERIOD_END = pd.Timestamp("2025-12-31").date()


def quiet(message: str) -> None:
    pass


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    return run(sample_paths(), "sample-group", PERIOD_END, out, quiet).folder


@pytest.mark.slow
def test_run_writes_every_output(sample_run: Path) -> None:
    expected = [
        "returns/annex1.json",
        "returns/annex1--nil-100002.json",
        "returns/annex1--nil-100003.json",
        "returns/annex1ad--100001.json",
        "returns/annex1ad--100002.json",
        "returns/annex1b.json",
        "returns/annex1b.html",
        "returns/annex1b.csv",
        "returns/sample-group-2025-12-31.xlsx",
        "notebooks/validation.ipynb",
        "notebooks/annex1.ipynb",
        "notebooks/annex1ad--100001.ipynb",
        "notebooks/annex1b.ipynb",
        "html/validation.html",
        "html/annex1.html",
        "html/annex1ad--100002.html",
        "html/annex1b.html",
        "validation/errors.csv",
        "validation/warnings.csv",
        "lineage/annex1.parquet",
        "lineage/annex1ad--100001.parquet",
        "manifest.json",
    ]
    assert all((sample_run / name).is_file() for name in expected), [
        n for n in expected if not (sample_run / n).is_file()
    ]
    # no staging left behind; only the period's lock file (kept: removing it would race a waiting run)
    assert [p.name for p in sample_run.parent.iterdir() if p.name.startswith(".")] == [
        f".{PERIOD_END.isoformat()}.lock"
    ]


@pytest.mark.slow
def test_run_returns_match_golden(sample_run: Path) -> None:
    for path in (sample_run / "returns").glob("*.json"):
        golden = GOLDEN_DIR / f"sample-group--{path.stem}--2025-12-31.json"
        assert dumps(json.loads(path.read_text())) == golden.read_text(), path.name


@pytest.mark.slow
def test_html_hides_code_and_shows_the_return(sample_run: Path) -> None:
    html = (sample_run / "html" / "annex1.html").read_text(encoding="utf-8")
    document = json.loads((sample_run / "returns" / "annex1.json").read_text())
    assert "views.load_return" not in html and "import matplotlib" not in html
    assert "Part A-2 Table 4" in html and "Current accounts" in html
    assert "data:image/png;base64" in html  # the charts were drawn
    assert f"{document['header']['opened']}" in html
    executed = nbformat.read(sample_run / "notebooks" / "annex1.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


@pytest.mark.slow
def test_manifest_records_inputs_parameters_versions_and_times(sample_run: Path) -> None:
    manifest = json.loads((sample_run / "manifest.json").read_text())
    complaints = Path(manifest["inputs"]["complaints"]["path"])
    assert manifest["inputs"]["complaints"]["sha256"] == hashlib.sha256(complaints.read_bytes()).hexdigest()
    assert set(manifest["inputs"]) == {"config", "complaints", "redress", "context"}
    assert manifest["parameters"]["entity"] == "sample-group" and manifest["parameters"]["period_end"] == "2025-12-31"
    assert "annex1--nil-100002" in manifest["returns"]
    assert manifest["regimes"]["annex1"] == "current"
    assert {"pandas", "great-expectations", "papermill", "holidays", "python"} <= set(manifest["packages"])
    assert manifest["started_at"] <= manifest["finished_at"]
    annex1 = (sample_run / "returns" / "annex1.json").read_bytes()
    assert manifest["outputs"]["returns/annex1.json"] == hashlib.sha256(annex1).hexdigest()


@pytest.mark.slow
def test_lineage_accounts_for_every_counted_cell(sample_run: Path) -> None:
    document = json.loads((sample_run / "returns" / "annex1.json").read_text())
    lineage = pd.read_parquet(sample_run / "lineage" / "annex1.parquet")
    counts = lineage[lineage["table"] == "4"].groupby(["row", "column"]).size()
    for row, cells in document["tables"]["4"].items():
        for column, value in cells.items():
            assert counts.get((row, column), 0) == (value or 0), (row, column)
    assert set(lineage["firm_frn"]) == {"100001", "100002", "100003"}  # a joint report covers every member


def test_validation_failure_leaves_no_returns_and_keeps_the_error_list(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", product="bogus", cause="other")])
    with pytest.raises(ValidationFailed, match="product_code"):
        run(paths, "123456", pd.Timestamp("2025-06-30").date(), tmp_path / "out", quiet, notebooks=False)
    folder = tmp_path / "out" / "123456" / "2025-06-30"
    assert not (folder / "returns").exists() and not (folder / "manifest.json").exists()
    errors = pd.read_csv(folder / "validation" / "errors.csv")
    assert list(errors["complaint_id"]) == ["C1"]


def test_failed_rerun_never_touches_an_earlier_run(ws, tmp_path) -> None:
    out, end = tmp_path / "out", pd.Timestamp("2025-06-30").date()
    good = run(ws.paths([complaint("C1", "2025-02-03")]), "123456", end, out, quiet, notebooks=False).folder
    before = {p: p.read_bytes() for p in good.rglob("*") if p.is_file()}
    with pytest.raises(ValidationFailed):
        run(ws.paths([complaint("C1", "2025-02-03", product="bogus")]), "123456", end, out, quiet, notebooks=False)
    assert {p: p.read_bytes() for p in good.rglob("*") if p.is_file()} == before
    assert (out / "123456" / "2025-06-30.failed" / "validation" / "errors.csv").is_file()


def test_unknown_entity_and_wrong_period_end_are_input_errors(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    with pytest.raises(InputError, match="entity '999' is neither"):
        run(paths, "999", pd.Timestamp("2025-06-30").date(), tmp_path, quiet)
    with pytest.raises(InputError, match="2025-05-31 ends no reporting period .* 2025-06-30"):
        run(paths, "123456", pd.Timestamp("2025-05-31").date(), tmp_path, quiet)
    assert not list(tmp_path.rglob("returns"))


@pytest.mark.slow
def test_failing_notebook_keeps_its_executed_copy_and_names_the_cell(ws, tmp_path, monkeypatch) -> None:
    broken = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, broken)
    notebook = nbformat.read(broken / "annex1.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('chart data missing')"))
    nbformat.write(notebook, broken / "annex1.ipynb")
    monkeypatch.setattr(notebooks, "NOTEBOOKS_DIR", broken)
    out = tmp_path / "out"
    with pytest.raises(NotebookFailed, match="annex1.ipynb failed in cell .*RuntimeError: chart data missing"):
        run(ws.paths([complaint("C1", "2025-02-03")]), "123456", pd.Timestamp("2025-06-30").date(), out, quiet)
    folder = out / "123456" / "2025-06-30"
    assert (folder / "notebooks" / "annex1.ipynb").is_file()
    assert not (folder / "returns").exists()


def test_rerun_gives_the_same_numbers_and_replaces_the_earlier_run_whole(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-04", "upheld", redress_amount="9.99")])
    end = pd.Timestamp("2025-06-30").date()
    folder = run(paths, "123456", end, tmp_path, quiet, notebooks=False).folder
    first = (folder / "returns" / "annex1.json").read_text()
    (folder / "returns" / "stray.txt").write_text("left by hand")
    assert run(paths, "123456", end, tmp_path, quiet, notebooks=False).folder == folder
    assert (folder / "returns" / "annex1.json").read_text() == first
    assert json.loads(first)["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 10
    assert not (folder / "returns" / "stray.txt").exists()  # the new run replaced the folder whole
    # nothing staged left over: the period's folder and its lock file only
    assert sorted(p.name for p in (tmp_path / "123456").iterdir()) == [".2025-06-30.lock", "2025-06-30"]


@pytest.mark.slow
def test_published_and_rendered_pages_carry_no_personal_data(sample_run: Path, tmp_path) -> None:
    adviser_run = run(sample_paths(), "300001", PERIOD_END, tmp_path, quiet).folder
    complaints = pd.read_csv(sample_paths().complaints, dtype=str)
    identifiers = set()
    for column in ("adviser_irn", "adviser_ni_number", "adviser_passport_number"):
        identifiers |= set(complaints[column].dropna())
    assert identifiers  # the sample names advisers in all three forms
    document = json.loads((adviser_run / "returns" / "annex1c.json").read_text())
    assert any(key.startswith("NI:") for key in document["tables"]["1C"])  # the JSON carries them for keying
    pages = [
        adviser_run / "html" / "annex1c.html",
        adviser_run / "html" / "validation.html",
        sample_run / "returns" / "annex1b.html",
        sample_run / "html" / "annex1b.html",
    ]
    ids = set(complaints["complaint_id"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not [i for i in identifiers if i in text], page
    summary = (sample_run / "returns" / "annex1b.html").read_text(encoding="utf-8")
    assert not [i for i in list(ids)[:2000] if i in summary]
    assert "(keyed by IRN)" in (adviser_run / "html" / "annex1c.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["validation.ipynb", "annex1.ipynb", "return.ipynb"])
def test_notebooks_run_on_the_sample_with_their_defaults(name: str, tmp_path) -> None:
    """Opened in JupyterLab, each notebook runs as it stands on the bundled sample (no injected parameters)."""
    executed = nbformat.read(notebooks.execute(name, tmp_path / name, {}), as_version=4)
    outputs = [o for c in executed.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o) for o in outputs)
    assert "2025-07-01" in text or "passed validation" in text


@pytest.mark.slow
def test_papermill_runs_a_notebook_from_any_folder_on_the_packaged_sample(tmp_path) -> None:
    """`papermill <notebook> out.ipynb` from an unrelated working directory: defaults come from the package."""
    import subprocess
    import sys

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    papermill = Path(sys.executable).with_name("papermill")
    done = subprocess.run(
        [str(papermill), str(NOTEBOOKS_DIR / "return.ipynb"), "out.ipynb", "--no-progress-bar"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    executed = nbformat.read(elsewhere / "out.ipynb", as_version=4)
    text = "".join(str(o) for c in executed.cells for o in c.get("outputs", []))
    assert "Reporting firm **100001**" in text and "2025-12-31" in text
    assert sorted(p.name for p in elsewhere.iterdir()) == ["out.ipynb"]  # nothing else written beside it


def test_data_files_are_read_from_the_package() -> None:
    from importlib.resources import files

    from reportkit import paths

    assert paths.SCHEMAS_DIR == Path(str(files("reportkit.schemas")))
    assert (paths.LAYOUTS_DIR / "annex1.yaml").is_file() and (paths.EXPECTATIONS_DIR / "complaints.json").is_file()
    assert {p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")} == {
        "validation.ipynb",
        "annex1.ipynb",
        "return.ipynb",
        "mi.ipynb",
    }
    assert all(path.is_file() for path in paths.sample_inputs().values())
