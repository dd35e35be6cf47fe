"""Writing the MI tables: tables/<name>.json (the machine form the pages read) and one workbook, a sheet per table.

Both are pure functions of the tables and the run id: JSON with a fixed layout, the workbook with a fixed creation
time, so a re-run is byte-identical. Percentages: the JSON keeps 47.37, the workbook stores 0.4737 with a 0.00%
format; money (columns ending _gbp) is a number with a pounds format; blank stays an empty cell.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

TABLES_FOLDER = "tables"
PREVIEW_SECTION = "preview_2027"


def plain(value: Any) -> Any:
    """A cell as JSON: numpy scalars as Python numbers, NaN/NaT/NA as null."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value if isinstance(value, (int, str)) else str(value)


def table_document(name: str, title: str, about: str, section: str, table: pd.DataFrame) -> dict[str, Any]:
    """A table as its JSON document: name, title, what it shows, columns and rows (lists, in column order)."""
    columns = [str(c) for c in table.columns]
    rows = [[plain(v) for v in row] for row in table.astype(object).itertuples(index=False, name=None)]
    return {"name": name, "title": title, "about": about, "section": section, "columns": columns, "rows": rows}


def write_table_json(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / TABLES_FOLDER / f"{document['name']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_table(document), encoding="utf-8")
    return path


def dumps_table(document: dict[str, Any]) -> str:
    """A table document as JSON text with one row per line: small, and a re-run's diff reads row by row."""
    head = {k: v for k, v in document.items() if k != "rows"}
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in document["rows"])
    text = json.dumps(head, indent=1, ensure_ascii=False)
    return text[:-2] + ',\n "rows": [' + (f"\n{rows}\n ]" if rows else "]") + "\n}\n"


def read_table(document: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(document["rows"], columns=document["columns"])


def _kind(column: str) -> str:
    if column.endswith("_pct"):
        return "pct"
    if column.endswith("_gbp"):
        return "gbp"
    return "plain"


def write_mi_workbook(
    path: Path, documents: list[dict[str, Any]], run_id: str, created: dt.date, preview_label: str
) -> Path:
    """One sheet per table: its title, the run id, what it shows (and on the 2027 sheets the preview label), then
    the table with a heading row frozen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    book.set_properties({"created": dt.datetime.combine(created, dt.time(0, 0), tzinfo=dt.timezone.utc)})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    warn = book.add_format({"bold": True, "font_color": "#9C0006"})
    number_formats = {"pct": "0.00%", "gbp": "£#,##0.00", "int": "#,##0", "float": "#,##0.0"}
    formats = {kind: book.add_format({"num_format": shape}) for kind, shape in number_formats.items()}
    for document in documents:
        sheet = book.add_worksheet(document["name"][:31])
        sheet.write_string(0, 0, document["title"], title)
        sheet.write_string(1, 0, "Run id", bold)
        sheet.write_string(1, 1, run_id)
        sheet.write_string(2, 0, document["about"])
        top = 4
        if document["section"] == PREVIEW_SECTION:
            sheet.write_string(3, 0, preview_label, warn)
            top = 5
        widths = [len(c) + 2 for c in document["columns"]]
        for col, name in enumerate(document["columns"]):
            sheet.write_string(top, col, name, bold)
        for r, row in enumerate(document["rows"], start=top + 1):
            for col, value in enumerate(row):
                _write_cell(sheet, r, col, value, _kind(document["columns"][col]), formats)
                if isinstance(value, str):
                    widths[col] = max(widths[col], min(len(value) + 2, 60))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(top + 1, 0)
        sheet.set_footer(f"&LRun id {run_id}")
    book.close()
    return path


def _write_cell(sheet, row: int, col: int, value: Any, kind: str, formats: dict) -> None:
    if value is None:
        return  # blank stays an empty cell
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        if kind == "pct":
            sheet.write_number(row, col, value / 100.0, formats["pct"])
        elif kind == "gbp":
            sheet.write_number(row, col, value, formats["gbp"])
        else:
            sheet.write_number(row, col, value, formats["int" if float(value).is_integer() else "float"])
    else:
        sheet.write_string(row, col, str(value))  # text from users (handlers, codes) is never a formula
