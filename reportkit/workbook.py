"""The Excel workbook: one sheet per return, laid out like the FCA form, written from the return JSON.

A view of the JSON, never a second computation: every value comes from the document. Blank cells are
left empty (not 0), money is whole pounds, and text is always written as text, so a name or code that
starts with =, +, - or @ never becomes a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from reportkit.config import Config
from reportkit.layouts import document_layout
from reportkit.measures import redress_basis_statement
from reportkit.returns.common import ReturnResult

TABLE_MARKER = "Table "
"""Column A of each table's code row reads "Table <key>", so tests and tools can find the table."""


def header_text(value: Any) -> str | None:
    """How a header answer reads on the form: Yes/No, a list of FRNs, a number or text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(f"{v['name']} ({v['frn']})" if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _write_text(sheet, row: int, col: int, value: Any, fmt=None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _write_sheet(book, sheet_name: str, result: ReturnResult, config: Config) -> None:
    document = result.document
    layout = document_layout(document)
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    code_fmt = book.add_format({"font_color": "#666666", "italic": True})
    label_fmt = book.add_format({"text_wrap": True, "bold": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0"})
    number = book.add_format({"num_format": "#,##0.###"})
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 12, 16)

    firm = config.firms.get(document["reporting_firm"])
    row = 0
    sheet.write_string(row, 0, layout.title, title)
    row += 1
    for label, value in (
        ("Firm", firm.name if firm else document["reporting_firm"]),
        ("FRN", document["reporting_firm"]),
        ("Firms covered", ", ".join(document["firms"])),
        ("Period start", document["period"]["start"]),
        ("Period end", document["period"]["end"]),
        ("Layout version", document["layout_version"]),
        *((("Layout note", " ".join(layout.raw["layout_note"].split())),) if layout.raw.get("layout_note") else ()),
    ):
        sheet.write_string(row, 0, label, bold)
        _write_text(sheet, row, 1, value)
        row += 1
    sheet.write_string(row, 0, redress_basis_statement(config.redress_attribution))  # which basis, and its key
    row += 1
    row += 1
    sheet.write_string(row, 0, "Header", title)
    row += 1
    labels = {item["code"]: item["label"] for item in layout.header}
    for code, value in document["header"].items():
        sheet.write_string(row, 0, labels.get(code, code))
        sheet.write_string(row, 1, code, code_fmt)
        _write_text(sheet, row, 2, header_text(value))
        row += 1

    for key, cells in document["tables"].items():
        spec = layout.tables[key]
        row += 1
        sheet.write_string(row, 0, spec.title, title)
        row += 1
        for col, column in enumerate(spec.columns, start=2):
            sheet.write_string(row, col, column.label, label_fmt)
        sheet.set_row(row, 45)
        row += 1
        sheet.write_string(row, 0, f"{TABLE_MARKER}{key}", code_fmt)
        sheet.write_string(row, 1, "code", code_fmt)
        for col, column in enumerate(spec.columns, start=2):
            sheet.write_string(row, col, column.code, code_fmt)
        row += 1
        for row_code, values in cells.items():
            sheet.write_string(row, 0, spec.row_label(row_code))
            sheet.write_string(row, 1, row_code, code_fmt)
            for col, column in enumerate(spec.columns, start=2):
                value = values.get(column.code)
                if value is None:
                    sheet.write_blank(row, col, None)
                elif isinstance(value, str):
                    sheet.write_string(row, col, value)
                else:
                    sheet.write_number(row, col, value, money if column.money else number)
            row += 1


def write_workbook(path: Path, results: list[tuple[str, ReturnResult]], config: Config) -> Path:
    """Write one sheet per (sheet name, return) to `path` (.xlsx)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        for sheet_name, result in results:
            _write_sheet(book, sheet_name, result, config)
    finally:
        book.close()
    return path
