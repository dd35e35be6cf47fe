"""CSV files that open safely in a spreadsheet (OWASP "CSV injection").

Auditors open lineage and validation CSVs in Excel. A text cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return is evaluated there as a formula (`=HYPERLINK(...)`, `+cmd|...`), so such a cell is written
with a leading apostrophe, which spreadsheets show as text and never evaluate. Only text columns change:
numbers stay numbers, so a negative count is still a number. The JSON returns are never altered.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet treats as the start of a formula (OWASP CSV injection guidance)."""

NEUTRALISER = "'"


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot be evaluated as formulas (vectorised, column by column)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
        if risky.any():
            safe[column] = values.astype(object).where(~risky, NEUTRALISER + text.astype(object))
    return safe


def write_safe_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as CSV (UTF-8, no index) with formula triggers neutralised."""
    neutralise(frame).to_csv(path, index=False)
