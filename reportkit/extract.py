"""Reading the input files (complaints, redress lines, context figures) as text, then typing them.

Every read failure becomes a one-line InputError naming the file (kedro's habit: wrap every I/O
boundary). Values are read as text so that the great-expectations suites see exactly what the user
wrote; `to_typed` parses them only after they have passed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.errors import InputError
from reportkit.money import parse_units
from reportkit.schema import FileSchema, load_schema

LINE_COLUMN = "_line"
"""The line of the source file each row came from (header is line 1), for row-level messages."""


_TRUE = {"true", "1", "yes"}


def _read_csv(path: Path) -> pd.DataFrame:
    """Read every column as text with pyarrow's parser (several times faster than pandas' own on big extracts)."""
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], engine="pyarrow")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the extract as CSV UTF-8") from None
    except Exception as exc:  # pyarrow.ArrowInvalid and friends: the text is not CSV of a consistent shape
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "utf8" in reason.lower() or "utf-8" in reason.lower():
            raise InputError(f"{path}: not UTF-8 text ({reason}); save the extract as CSV UTF-8") from None
        raise InputError(
            f"{path}: not a readable CSV file ({_printable(reason)}); expected text with a header row"
        ) from None


def _printable(text: str, limit: int = 100) -> str:
    """A parser's message cut at the first unprintable character (it may quote binary content)."""
    kept = []
    for char in text[:limit]:
        if not char.isprintable() or char == "\ufffd":
            break
        kept.append(char)
    return "".join(kept).rstrip(": ") or "unreadable content"


LOCAL_TIME_ZONE = "Europe/London"
"""The time zone a complaint's day is taken in: the firm's UK business day (DISP 1.5.1R, 1.6.2R count UK days)."""


def _as_text(series: pd.Series) -> pd.Series:
    """Turn a typed Parquet/Excel column into the text form the suites expect.

    A timestamp that carries a time zone (UTC is common in Parquet) is converted to Europe/London before
    its date is taken: 2025-06-30T23:00Z is 1 July in London, and cutting it in UTC would move the
    complaint into the previous day (and, at a period boundary, the previous period). Naive timestamps
    and dates are taken as written.
    """
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert(LOCAL_TIME_ZONE).dt.strftime("%Y-%m-%d")
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"})
    text = series.astype("str")
    if pd.api.types.is_float_dtype(series):  # 12.0 read from Excel is "12"
        text = text.str.replace(r"\.0$", "", regex=True)
    return text.mask(series.isna())


def _read_binary(path: Path, reader) -> pd.DataFrame:
    try:
        frame = reader(path)
    except Exception as exc:  # pyarrow and openpyxl raise many types; all mean "cannot read"
        raise InputError(f"{path}: cannot be read as {path.suffix.lstrip('.')}: {str(exc).splitlines()[0]}") from None
    return pd.DataFrame({col: _as_text(frame[col]) for col in frame.columns})


def read_text_frame(path: str | Path, schema: FileSchema) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file as text, check its columns, and add absent optional ones.

    Raises:
        InputError: the file is missing, unreadable, or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{schema.name} file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = _read_binary(path, pd.read_parquet)
    elif suffix in (".xlsx", ".xls"):
        frame = _read_binary(path, pd.read_excel)
    else:
        frame = _read_csv(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in schema.required if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; found {found}")
    if schema.one_of and not any(c in frame.columns for c in schema.one_of):
        raise InputError(f"{path}: needs at least one of the columns {', '.join(schema.one_of)}")
    for name, column in schema.columns.items():
        if name not in frame.columns:
            frame[name] = pd.Series(column.default, index=frame.index, dtype="str")
        else:
            text = frame[name].astype("str").str.strip()  # vectorised (Arrow strings), not per row
            text = text.mask(text == "")
            frame[name] = text.fillna(column.default) if column.default is not None else text
    frame[LINE_COLUMN] = np.arange(2, len(frame) + 2)
    return frame


def read_complaints(path: str | Path) -> pd.DataFrame:
    return read_text_frame(path, load_schema("complaints"))


def read_redress(path: str | Path) -> pd.DataFrame:
    return read_text_frame(path, load_schema("redress"))


def read_context(path: str | Path) -> pd.DataFrame:
    return read_text_frame(path, load_schema("context"))


def to_typed(frame: pd.DataFrame, schema: FileSchema) -> pd.DataFrame:
    """Parse validated text columns: dates to datetime64, booleans to bool, money to integer units.

    Call only after validation passed: values that do not parse become NaT/NaN rather than raising.
    """
    typed = frame.copy()
    for name, column in schema.columns.items():
        values = typed[name]
        if column.parse == "date":
            typed[name] = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        elif column.parse == "bool":
            typed[name] = values.astype("string").str.lower().isin(_TRUE).astype(bool)
        elif column.parse == "money":
            typed[name] = parse_units(values)  # exact: digits to integer units, never through a float
        elif column.parse == "number":
            typed[name] = pd.to_numeric(values, errors="coerce")
    return typed
