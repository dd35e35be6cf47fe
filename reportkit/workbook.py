"""The Excel workbook an analyst keys the returns from: one sheet per return, laid out like the FCA form, and a
Run sheet that says which run and which input files produced it.

A view of the JSON, never a second computation: every value comes from the document. Figures are numbers with
number formats (counts `#,##0`, money `£#,##0`, percentages stored as fractions with `0.00%` while the JSON keeps
0-100, 1AD volumes in thousands with their three decimals); blank cells are left empty (not 0); text is always
written as text, so a name or code that starts with =, +, - or @ never becomes a formula.

Columns: A the form's own question or row number where the form has one, B the label, C the code, D on the
values. Every column is sized to its content, long labels wrap at spaces, the top lines and the label columns are
frozen, and each sheet prints one page wide.

The file is a pure function of the returns and the run's facts (reportkit.runinfo): its creation date is pinned
to the period end, so a re-run of the same inputs writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter

from reportkit.config import Config
from reportkit.layouts import ColumnSpec, TableSpec, document_layout
from reportkit.measures import redress_basis_statement
from reportkit.returns.common import ReturnResult
from reportkit.runinfo import RunInfo
from reportkit.schedule import document_note

TABLE_MARKER = "Table "
"""Column B of each table's code row reads "Table <key>", so tests and tools can find the table."""

NUMBER_COL, LABEL_COL, CODE_COL, FIRST_VALUE_COL = 0, 1, 2, 3
"""Where things are on a return sheet: the form's number, the label, the code, then the values."""

RUN_SHEET = "Run"
RUN_ID_LABEL = "Run id"

COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "£#,##0"
PERCENT_FORMAT = "0.00%"
PER_1000_FORMAT = "#,##0.00"
THOUSANDS_FORMAT = "#,##0.000"
"""Annex 1AD Table 3 volumes in thousands keep three decimals: a volume of 200 is 0.200 (DISP 1 Annex 1AA)."""
FRACTION_FORMAT = "#,##0.###"
"""Any other figure that is not a whole number (none today): its decimals are kept, never rounded away."""

LABEL_WIDTH_CAP = 50
"""Label column width in characters; longer labels wrap at spaces (Annex 1AB question 6 runs to 200 characters)."""
HEADER_TEXT_WIDTH_CAP = 40
"""A header answer longer than this wraps across the value columns instead of widening the first one."""
LINE_HEIGHT = 15.0
"""Points per line of 11-point text, for the height of a row whose text wraps."""
CODE_TYPE_SCALE = 0.6
"""Width of a column code in 8-point type relative to the 11-point characters column widths are measured in."""
WIDE_SHEET_COLUMNS = 5
"""A return with more value columns than this prints landscape."""

PINNED_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
"""The creation date of a workbook written without run facts (a library call): fixed, so its bytes are too."""


def header_text(value: Any) -> str | None:
    """How a header answer reads on the form: Yes/No, a list of FRNs, or text (numbers are written as numbers)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(f"{v['name']} ({v['frn']})" if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def header_value(value: Any) -> Any:
    """A header answer as written to its cell: a figure stays a number, everything else reads as on the form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return header_text(value) or None  # no additional FRNs: an empty cell, not an empty string


def value_format(column: ColumnSpec, value: float, money_row: bool = False) -> str:
    """The number format of a table figure, from what its column (or, for Annex 1AB Table 2, its row) holds."""
    if column.money or money_row:
        return MONEY_FORMAT
    if column.is_percent:
        return PERCENT_FORMAT
    if column.per_1000_of:
        return PER_1000_FORMAT
    if column.divide_by:
        return THOUSANDS_FORMAT
    return COUNT_FORMAT if float(value).is_integer() else FRACTION_FORMAT


def cell_number(column: ColumnSpec, value: float) -> float:
    """The number stored for a table figure: a percentage (0-100 in the JSON) becomes its fraction, 47.37 -> 0.4737."""
    return round(value / 100, 6) if column.is_percent else value


def displayed(value: float, num_format: str) -> str:
    """The text Excel shows for `value` in `num_format`, to size its column."""
    if num_format == PERCENT_FORMAT:
        return f"{value * 100:.2f}%"
    if num_format == MONEY_FORMAT:
        return f"£{value:,.0f}"
    if num_format == PER_1000_FORMAT:
        return f"{value:,.2f}"
    if num_format == THOUSANDS_FORMAT:
        return f"{value:,.3f}"
    if num_format == COUNT_FORMAT:
        return f"{value:,.0f}"
    return f"{value:,}"


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


@dataclass
class _Sheet:
    """A worksheet that remembers how wide each column's content is and which cells wrap, to size it at the end."""

    book: Any
    sheet: Any
    formats: dict[tuple[tuple[str, Any], ...], Any]
    widths: dict[int, float] = field(default_factory=dict)
    wrapped: list[tuple[int, int, int, str]] = field(default_factory=list)
    """(row, first column, last column, text) of every cell whose text wraps."""

    def fmt(self, **properties: Any):
        key = tuple(sorted(properties.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(properties)
        return self.formats[key]

    def need(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0), width)

    def text(self, row: int, col: int, value: Any, sized: bool = True, **properties: Any) -> None:
        """Text as text (write_string: never a formula); blank stays an empty cell."""
        fmt = self.fmt(**properties) if properties else None
        if value is None:
            self.sheet.write_blank(row, col, None, fmt)
            return
        text = str(value)
        self.sheet.write_string(row, col, text, fmt)
        if properties.get("text_wrap"):
            self.wrapped.append((row, col, col, text))
            self.need(col, _longest_word(text) + 2)
        elif sized:
            self.need(col, len(text) + 2)

    def wrapped_text(self, row: int, col: int, value: str, cap: float, **properties: Any) -> None:
        """A label: as wide as it is up to `cap`, wrapping at spaces beyond that."""
        self.text(row, col, value, text_wrap=True, valign="top", **properties)
        self.need(col, min(len(value), cap) + 2)

    def number(self, row: int, col: int, value: float, num_format: str, **properties: Any) -> None:
        self.sheet.write_number(row, col, value, self.fmt(num_format=num_format, **properties))
        self.need(col, len(displayed(value, num_format)) + 2)

    def finish(
        self, top_rows: int, value_columns: int, run: RunInfo | None, frozen_columns: int = FIRST_VALUE_COL
    ) -> None:
        """Column widths, heights of rows that wrap, frozen panes and a print set-up one page wide."""
        for col, width in sorted(self.widths.items()):
            self.sheet.set_column(col, col, math.ceil(width))
        heights: dict[int, int] = {}
        for row, first, last, text in self.wrapped:
            width = sum(math.ceil(self.widths.get(c, 8.43)) for c in range(first, last + 1))
            lines = wrapped_lines(text, max(int(width) - 2, 1))
            heights[row] = max(heights.get(row, 1), lines)
        for row, lines in sorted(heights.items()):
            if lines > 1:
                self.sheet.set_row(row, LINE_HEIGHT * lines)
        self.sheet.freeze_panes(top_rows, frozen_columns)  # the title and run id lines; the number, label and code
        self.sheet.repeat_rows(0, top_rows - 1)
        self.sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
        self.sheet.set_paper(9)  # A4
        if value_columns > WIDE_SHEET_COLUMNS:
            self.sheet.set_landscape()
        footer = "&RPage &P of &N"
        if run is not None:
            footer = f"&L{RUN_ID_LABEL} {run.run_id}{footer}"  # hex digits only: nothing for Excel to interpret
        self.sheet.set_footer(footer)


@lru_cache(maxsize=4096)
def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes wrapped at spaces in `width` characters (at least one): a group's workbook repeats the
    same labels on a sheet per member, so each label and width is wrapped once."""
    return len(textwrap.wrap(text, width, break_long_words=False)) or 1


def _top(sheet: _Sheet, title: str, run: RunInfo | None) -> int:
    """The title line and the run id line; returns the first free row (the rows above it stay frozen)."""
    sheet.text(0, NUMBER_COL, title, sized=False, bold=True, font_size=14)
    if run is None:
        return 1
    sheet.text(1, LABEL_COL, RUN_ID_LABEL, bold=True)
    sheet.text(1, CODE_COL, run.run_id)
    sheet.text(1, FIRST_VALUE_COL, f"see the {RUN_SHEET} sheet and manifest.json", sized=False, italic=True)
    return 2


def _write_table(sheet: _Sheet, row: int, key: str, spec: TableSpec, cells: dict[str, dict[str, Any]]) -> int:
    sheet.text(row, LABEL_COL, spec.title, sized=False, bold=True, font_size=14)
    row += 1
    for col, column in enumerate(spec.columns, start=FIRST_VALUE_COL):
        label = column.label
        sheet.text(row, col, label, text_wrap=True, bold=True, valign="top")
        sheet.need(col, math.ceil(len(label) / 3) + 2)  # at most about three lines under a column
    row += 1
    sheet.text(row, LABEL_COL, f"{TABLE_MARKER}{key}", italic=True, font_color="#666666")
    sheet.text(row, CODE_COL, "code", italic=True, font_color="#666666")
    for col, column in enumerate(spec.columns, start=FIRST_VALUE_COL):
        # Codes are for tools and tracing, not for keying: small type that shrinks to fit, so a long code
        # ("information_sums_charges_performance") does not make its column twice as wide as its figures.
        sheet.text(row, col, column.code, sized=False, italic=True, font_color="#666666", font_size=8, shrink=True)
        sheet.need(col, math.ceil(len(column.code) * CODE_TYPE_SCALE) + 1)
    row += 1
    for row_code, values in cells.items():
        number = spec.row_number(row_code)
        if number is not None:
            sheet.number(row, NUMBER_COL, number, "0", valign="top")
        sheet.wrapped_text(row, LABEL_COL, spec.row_label(row_code), LABEL_WIDTH_CAP)
        sheet.text(row, CODE_COL, row_code, italic=True, font_color="#666666", valign="top")
        for col, column in enumerate(spec.columns, start=FIRST_VALUE_COL):
            value = values.get(column.code)
            if value is None:
                sheet.text(row, col, None)
            elif isinstance(value, str):
                sheet.text(row, col, value, valign="top")
            else:
                num_format = value_format(column, value, row_code in spec.money_rows)
                sheet.number(row, col, cell_number(column, value), num_format, valign="top")
        row += 1
    return row


def _write_sheet(book, formats: dict, sheet_name: str, result: ReturnResult, config: Config, run: RunInfo | None):
    document = result.document
    layout = document_layout(document)
    sheet = _Sheet(book, book.add_worksheet(sheet_name[:31]), formats)
    value_columns = max((len(spec.columns) for spec in layout.tables.values()), default=1)
    last_value_col = FIRST_VALUE_COL + max(value_columns, 3) - 1

    row = _top(sheet, layout.title, run)
    firm = config.firms.get(document["reporting_firm"])
    for label, value in (
        ("Firm", firm.name if firm else document["reporting_firm"]),
        ("FRN", document["reporting_firm"]),
        ("Firms covered", ", ".join(document["firms"])),
        ("Period start", document["period"]["start"]),
        ("Period end", document["period"]["end"]),
        *((("Period note", note),) if (note := document_note(config, document)) else ()),
        ("Layout version", document["layout_version"]),
        *((("Layout note", " ".join(layout.raw["layout_note"].split())),) if layout.raw.get("layout_note") else ()),
    ):
        sheet.text(row, LABEL_COL, label, bold=True)
        sheet.text(row, CODE_COL, value, sized=False)  # may run on over the empty cells to its right
        row += 1
    sheet.text(row, LABEL_COL, redress_basis_statement(config.redress_attribution), sized=False)
    row += 2

    sheet.text(row, LABEL_COL, "Header", bold=True, font_size=14)
    row += 1
    items = {item["code"]: item for item in layout.header}
    for code, value in document["header"].items():
        item = items.get(code, {})
        if "number" in item:
            sheet.number(row, NUMBER_COL, item["number"], "0", valign="top")
        sheet.wrapped_text(row, LABEL_COL, item.get("label", code), LABEL_WIDTH_CAP)
        sheet.text(row, CODE_COL, code, italic=True, font_color="#666666", valign="top")
        answer = header_value(value)
        if isinstance(answer, (int, float)):
            sheet.number(row, FIRST_VALUE_COL, answer, COUNT_FORMAT if float(answer).is_integer() else FRACTION_FORMAT)
        elif answer is not None and len(answer) > HEADER_TEXT_WIDTH_CAP:
            # A sentence (Annex 1B's FCA notification) wraps across the value columns rather than widening one.
            wrap = sheet.fmt(text_wrap=True, valign="top")
            sheet.sheet.merge_range(row, FIRST_VALUE_COL, row, last_value_col, None, wrap)
            sheet.sheet.write_string(row, FIRST_VALUE_COL, answer, wrap)
            sheet.wrapped.append((row, FIRST_VALUE_COL, last_value_col, answer))
        else:
            sheet.text(row, FIRST_VALUE_COL, answer, valign="top")
        row += 1

    for key, cells in document["tables"].items():
        row = _write_table(sheet, row + 1, key, layout.tables[key], cells)
    sheet.finish(2 if run else 1, value_columns, run)


def _write_run_sheet(book, formats: dict, run: RunInfo, period_notes: list[str]) -> None:
    """The Run sheet: what produced this workbook. No user, host or time: those are in manifest.json."""
    sheet = _Sheet(book, book.add_worksheet(RUN_SHEET), formats)
    sheet.text(0, 0, "Run information", sized=False, bold=True, font_size=14)
    sheet.text(1, 0, RUN_ID_LABEL, bold=True)
    sheet.text(1, 1, run.run_id)
    row = 2
    for label, value in (
        ("reportkit version", run.version),
        ("Source commit", run.commit or "none (not run from a checkout)"),
        ("Entity", f"{run.entity_name} ({run.entity})"),
        ("Period end asked for", run.period_end.isoformat()),
        ("Period(s)", "; ".join(f"{start} to {end}" for start, end in run.periods)),
        *(("Period note", note) for note in period_notes),
        ("Regime", ", ".join(run.regimes)),
        ("Bank-holiday calendar(s)", ", ".join(dict.fromkeys(firm.calendar for firm in run.firms))),
        ("Who ran it and when", "in manifest.json, which records the same run id"),
    ):
        sheet.text(row, 0, label, bold=True)
        sheet.text(row, 1, value, sized=False)
        row += 1
    row += 1
    sheet.text(row, 0, "Firms", bold=True, font_size=14)
    row += 1
    for col, heading in enumerate(("FRN", "Name", "Bank-holiday calendar")):
        sheet.text(row, col, heading, bold=True)
    row += 1
    for firm in run.firms:
        sheet.text(row, 0, firm.frn)
        sheet.text(row, 1, firm.name)
        sheet.text(row, 2, firm.calendar)
        row += 1
    row += 1
    sheet.text(row, 0, "Inputs", bold=True, font_size=14)
    row += 1
    for col, heading in enumerate(("Input", "File name", "Rows", "sha256")):
        sheet.text(row, col, heading, bold=True)
    row += 1
    for item in run.inputs:
        sheet.text(row, 0, item.role)
        sheet.text(row, 1, item.name)
        if item.rows is None:
            sheet.text(row, 2, None)
        else:
            sheet.number(row, 2, item.rows, COUNT_FORMAT)
        sheet.text(row, 3, item.sha256)
        row += 1
    if run.mapping_text is not None:  # how the export became the extract: the mapping file, line by line
        row += 1
        sheet.text(row, 0, "Mapping of the export", bold=True, font_size=14)
        row += 1
        mapping = next(item for item in run.inputs if item.role == "mapping")
        sheet.text(row, 0, f"{mapping.name} (sha256 {mapping.sha256})", sized=False)
        row += 1
        for line in run.mapping_text.splitlines():
            sheet.text(row, 0, line, sized=False)
            row += 1
    sheet.finish(2, 4, run, frozen_columns=0)


def write_workbook(
    path: Path, results: list[tuple[str, ReturnResult]], config: Config, run: RunInfo | None = None
) -> Path:
    """Write one sheet per (sheet name, return) to `path` (.xlsx), and, given the run's facts, a Run sheet and a
    run id line on every sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # in_memory: xlsxwriter then stamps every part of the zip with the same fixed time, whatever the time zone.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    book.set_properties({"created": run.created if run else PINNED_CREATED})
    formats: dict = {}
    try:
        for sheet_name, result in results:
            _write_sheet(book, formats, sheet_name, result, config, run)
        if run is not None:
            notes = [note for _, result in results if (note := document_note(config, result.document))]
            _write_run_sheet(book, formats, run, list(dict.fromkeys(notes)))
    finally:
        book.close()
    return path
