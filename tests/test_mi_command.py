"""`reportkit mi` and `reportkit preview-2027` end to end: the command, its folder, workbook, page and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reportkit.cli import main
from tests.conftest import FIRM, complaint, redress_line

ROWS = [
    complaint("A", "2025-01-02", "2025-03-10", "upheld", handler="H1", vulnerable_customer="true"),
    complaint("B", "2025-02-03", "2025-02-04", "not_upheld", handler="H2", fos_referred_date="2025-03-01"),
    complaint("C", "2025-06-03", None, None, handler="H1"),
    complaint("D", "2024-06-03", "2024-06-10", "upheld", handler="H2", product="credit_cards", cause="other"),
]
MI_FIRM = {**FIRM, "mi": {"service_levels": {"default": {"business_days": 5}}, "authority_limits": {"default": 50}}}


def mi_args(ws, rows=ROWS, out: Path | None = None, command: str = "mi", entity: str = "123456", extra=()) -> list:
    paths = ws.paths(rows, redress=[redress_line("A", "2025-03-10", "financial_loss", "75.00")], firms=[MI_FIRM])
    return [
        command,
        "--config",
        str(paths.config),
        "--entity",
        entity,
        "--complaints",
        str(paths.complaints),
        "--redress",
        str(paths.redress),
        "--to",
        "2025-12-31",
        "--out",
        str(out or ws.root / "out"),
        *extra,
    ]


def invoke(args):
    return CliRunner().invoke(main, args)


@pytest.mark.slow
def test_mi_writes_its_folder_page_and_workbook_and_reruns_byte_identical(ws) -> None:
    result = invoke(mi_args(ws))
    assert result.exit_code == 0, result.output
    folder = ws.root / "out" / "123456" / "mi-2025-01-01--2025-12-31"
    assert f"wrote {folder}" in result.output
    for part in ("mi.json", "manifest.json", "html/mi.html", "notebooks/mi.ipynb", "tables/disp_breaches.json"):
        assert (folder / part).is_file(), part
    mi = json.loads((folder / "mi.json").read_text())
    breaches = json.loads((folder / "tables" / "disp_breaches.json").read_text())
    assert [row[breaches["columns"].index("complaint_id")] for row in breaches["rows"]] == ["A", "C"]

    page = (folder / "html" / "mi.html").read_text()
    assert mi["run_id"] in page
    assert "not the final form" in page  # the 2027 section is labelled as a preview
    assert "Complaints MI: Example Bank plc" in page
    assert "<title>Complaints MI: Example Bank plc" in page
    assert str(ws.root) not in page

    book = openpyxl.load_workbook(folder / "workbook" / "123456-mi-2025-01-01--2025-12-31.xlsx")
    assert len(book.sheetnames) == len(mi["tables"])
    for sheet in book.worksheets:
        assert sheet["A2"].value == "Run id" and sheet["B2"].value == mi["run_id"], sheet.title
    preview = book["preview_2027"]
    assert "not the final form" in preview["A4"].value
    vulnerability = book["vulnerability"]
    header = [c.value for c in vulnerability[5]]
    share = vulnerability.cell(6, header.index("received_share_pct") + 1)
    assert share.value == pytest.approx(1 / 3, abs=1e-4) and share.number_format == "0.00%"  # JSON keeps 33.33
    authority = book["authority_breaches"]
    assert [c.value for c in authority[6]][:3] == ["A", "123456", "H1"]

    again = invoke(mi_args(ws, out=ws.root / "elsewhere"))
    assert again.exit_code == 0, again.output
    other = ws.root / "elsewhere" / "123456" / "mi-2025-01-01--2025-12-31"
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    for relative in files:
        if relative.name != "manifest.json":
            assert (folder / relative).read_bytes() == (other / relative).read_bytes(), relative
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == mi["run_id"] and manifest["parameters"]["command"] == "mi"
    assert set(manifest["outputs"]) == {str(p) for p in files if p.name != "manifest.json"}


@pytest.mark.slow
def test_preview_2027_writes_only_the_2027_view(ws) -> None:
    result = invoke(mi_args(ws, command="preview-2027", extra=["--from", "2025-07-01"]))
    assert result.exit_code == 0, result.output
    folder = ws.root / "out" / "123456" / "preview-2027-2025-07-01--2025-12-31"
    assert sorted(p.name for p in (folder / "tables").iterdir()) == ["preview_2027.json", "readiness_2027.json"]
    page = (folder / "html" / "mi.html").read_text()
    assert "2027 per-entity view" in page and "PS25/19" in page


@pytest.mark.slow
def test_bad_data_exits_1_and_leaves_no_tables_nor_damages_an_earlier_run(ws) -> None:
    good = invoke(mi_args(ws, extra=["--from", "2025-06-01"]))
    assert good.exit_code == 0, good.output
    bad_rows = [*ROWS, complaint("E", "2025-05-01", "2025-04-01", "upheld")]
    folder = ws.root / "out" / "123456" / "mi-2025-06-01--2025-12-31"
    before = (folder / "mi.json").read_bytes()
    result = invoke(mi_args(ws, rows=bad_rows, extra=["--from", "2025-06-01"]))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (folder / "mi.json").read_bytes() == before
    failed = ws.root / "out" / "123456" / "mi-2025-06-01--2025-12-31.failed"
    assert (failed / "validation" / "errors.csv").is_file()
    assert not (failed / "tables").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entity": "999999"}, "entity '999999' is neither a firm FRN nor a group id"),
        ({"extra": ["--from", "2026-01-01"]}, "--from 2026-01-01 is after --to 2025-12-31"),
        ({"entity": "../x"}, "cannot name an output folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(ws, change, message) -> None:
    result = invoke(mi_args(ws, **change))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (ws.root / "out").exists() or not any((ws.root / "out").rglob("mi.json"))
