"""The workbook, read back with openpyxl: every cell equals the JSON; blanks are empty; text is text."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from reportkit import api
from reportkit.returns import RETURNS
from reportkit.workbook import (
    CODE_COL,
    FIRST_VALUE_COL,
    LABEL_COL,
    PERCENT_FORMAT,
    TABLE_MARKER,
    header_value,
    write_workbook,
)
from tests.conftest import FIRM, H1_2025_END, complaint


def cell_value(cell) -> object:
    """A cell's value as the JSON has it: a percentage cell (a fraction with a % format) back on the 0-100 scale."""
    if isinstance(cell.value, float) and cell.number_format == PERCENT_FORMAT:
        return round(cell.value * 100, 2)
    return cell.value


def read_tables(sheet) -> dict[str, dict[str, dict]]:
    """Rebuild {table: {row code: {column code: value}}} from the sheet, using its code row and code column."""
    tables: dict[str, dict[str, dict]] = {}
    rows = [[cell_value(c) for c in row] for row in sheet.iter_rows()]
    for i, row in enumerate(rows):
        marker = row[LABEL_COL]
        if isinstance(marker, str) and marker.startswith(TABLE_MARKER) and row[CODE_COL] == "code":
            key = marker[len(TABLE_MARKER) :]
            columns = [c for c in row[FIRST_VALUE_COL:] if c is not None]
            tables[key] = {}
            for data in rows[i + 1 :]:
                if data[CODE_COL] is None:
                    break
                values = data[FIRST_VALUE_COL : FIRST_VALUE_COL + len(columns)]
                tables[key][data[CODE_COL]] = dict(zip(columns, values, strict=True))
    return tables


def read_header(sheet) -> dict[str, object]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[LABEL_COL] == "Header")
    header = {}
    for row in rows[start + 1 :]:
        if row[CODE_COL] is None:
            break
        header[row[CODE_COL]] = row[FIRST_VALUE_COL]
    return header


def build(ws, rows, firm=FIRM, **kwargs):
    prepared = api.prepare(ws.paths(rows, firms=[firm], **kwargs))
    return prepared, api.build_returns(prepared, firm["frn"], H1_2025_END)


def test_every_cell_matches_the_json(ws, tmp_path) -> None:
    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-05", "upheld", redress_amount="12.50") for i in range(5)]
    rows.append(complaint("B1", "2025-02-03", product="", cause="", credit_activity="credit_broking"))
    prepared, results = build(ws, rows)
    path = write_workbook(tmp_path / "book.xlsx", [(RETURNS[r.code].sheet, r) for r in results], prepared.config)
    sheet = openpyxl.load_workbook(path)["Annex 1"]
    document = results[0].document
    tables = read_tables(sheet)
    assert tables == document["tables"]  # None in JSON is an empty cell in Excel
    assert read_header(sheet) == {code: header_value(value) for code, value in document["header"].items()}
    assert sheet["A1"].value == "Complaints return (DISP 1 Annex 1R)"


def test_blank_cells_are_empty_not_zero(ws, tmp_path) -> None:
    prepared, results = build(ws, [complaint("C1", "2025-02-03")])
    path = write_workbook(tmp_path / "book.xlsx", [("Annex 1", results[0])], prepared.config)
    tables = read_tables(openpyxl.load_workbook(path)["Annex 1"])
    assert tables["1"]["investments"]["other"] is None
    assert tables["1"]["banking_credit_cards"]["other"] == 0


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+44 Bank", "-Minus Ltd", "@Home plc"])
def test_text_that_looks_like_a_formula_stays_text(ws, tmp_path, name: str) -> None:
    firm = {**FIRM, "name": name}
    prepared, results = build(ws, [complaint("C1", "2025-02-03")], firm=firm)
    path = write_workbook(tmp_path / "book.xlsx", [("Annex 1", results[0])], prepared.config)
    cell = openpyxl.load_workbook(path)["Annex 1"]["C2"]
    assert cell.value == name and cell.data_type == "s"


def test_every_sample_return_has_a_sheet_that_matches_its_json(tmp_path) -> None:
    from reportkit.runner import sheet_name
    from scripts.generate_golden import sample_paths

    prepared = api.prepare(sample_paths())
    results = api.build_returns(prepared, "sample-group", pd.Timestamp("2025-12-31").date())
    results += api.build_returns(prepared, "300001", pd.Timestamp("2025-12-31").date())
    results += api.build_returns(prepared, "200001", pd.Timestamp("2025-12-31").date())
    named = [(f"{sheet_name(r)} {r.document['reporting_firm']}"[:31], r) for r in results]
    book = openpyxl.load_workbook(write_workbook(tmp_path / "all.xlsx", named, prepared.config))
    assert {r.code for r in results} == {"annex1", "annex1ab", "annex1ad", "annex1b", "annex1c"}
    for name, result in named:
        sheet = book[name]
        assert read_tables(sheet) == result.document["tables"], name
        assert read_header(sheet) == {code: header_value(v) for code, v in result.document["header"].items()}, name
