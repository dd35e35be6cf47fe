"""Reading the input files (complaints, redress lines, context figures) as text, then typing them.

Every read failure becomes a one-line InputError naming the file (kedro's habit: wrap every I/O
boundary). Values are read as text so that the great-expectations suites see exactly what the user
wrote; `to_typed` parses them only after they have passed.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.errors import InputError
from reportkit.money import parse_units
from reportkit.schema import FileSchema, load_schema

LINE_COLUMN = "_line"
"""The line of the source file each row came from (header is line 1), for row-level messages."""


_TRUE = {"true", "1", "yes"}


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    """Read every column as text with pyarrow's parser (several times faster than pandas' own on big extracts)."""
    if not data:
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row")
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], engine="pyarrow")
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


def _read_binary(path: Path, data: bytes, reader) -> pd.DataFrame:
    try:
        frame = reader(io.BytesIO(data))
    except Exception as exc:  # pyarrow and openpyxl raise many types; all mean "cannot read"
        raise InputError(f"{path}: cannot be read as {path.suffix.lstrip('.')}: {str(exc).splitlines()[0]}") from None
    return pd.DataFrame({col: _as_text(frame[col]) for col in frame.columns})


NEAR_MISS_RATIO = 0.85
"""How alike (difflib's ratio) an unknown header must be to a schema column to count as a misspelling of it.

0.85 catches a dropped or swapped letter (`fowarded`, `recieved_date`, `outcomes`) and leaves the other columns a
case system exports alone (`complaint_ref` 0.80, `fos_outcome` 0.78, `product_code` 0.74 stay plain unknowns)."""

INPUT_SHA256 = "sha256"
"""Key of `DataFrame.attrs` holding the sha256 of the very bytes the frame was parsed from (see `read_text_frame`)."""
INPUT_BYTES = "bytes"
"""Key of `DataFrame.attrs` holding how many bytes the frame was parsed from."""

COLUMNS_FOUND = "reportkit_columns_found"
"""Key of `DataFrame.attrs` under which `read_text_frame` leaves what the header held besides the schema."""


@dataclass(frozen=True)
class ColumnsFound:
    """What a file's header held beside the schema's columns: reported to the user, never used silently."""

    unknown: tuple[str, ...] = ()
    """Columns not in the schema and not close to one: listed once as a warning and dropped."""
    absent: tuple[str, ...] = ()
    """Optional schema columns the file lacks: their default is used, and the run says which."""


def columns_found(frame: pd.DataFrame) -> ColumnsFound:
    """The header report `read_text_frame` attached to `frame` (empty for a frame built another way)."""
    return frame.attrs.get(COLUMNS_FOUND, ColumnsFound())


def header_key(name: str) -> str:
    """A header compared without case, outer spaces, or spaces/hyphens in place of underscores:
    "Received Date" and "received-date" both give "received_date"."""
    return re.sub(r"[\s\-]+", "_", str(name).strip()).casefold()


def near_misses(name: str, known: list[str]) -> list[str]:
    """The schema columns an unknown header was probably meant to be, best first; empty when none is close.

    Three ways to miss a column name, checked in this order:
    the same name in another case or with spaces/hyphens (`Complaint_ID`, `received date`);
    the first word(s) of a column (`eligible` for `eligible_complainant`, `redress` for `redress_amount`);
    a misspelling, by difflib's ratio (`fowarded` for `forwarded`, see NEAR_MISS_RATIO).
    """
    key = header_key(name)
    if not key:
        return []
    if key in known:
        return [key]
    prefixed = [column for column in known if column.startswith(key + "_")]
    if prefixed:
        return prefixed
    return difflib.get_close_matches(key, known, n=1, cutoff=NEAR_MISS_RATIO)


_MANGLED = re.compile(r"^(?P<base>.+)\.(?P<copy>\d+)$")
"""pandas renames a repeated header `outcome` to `outcome.1`, `outcome.2`, ... when it reads a file."""


def _duplicated_headers(columns: list[str]) -> list[str]:
    """Headers the file repeats: renamed by pandas (`outcome.1`) or equal once outer spaces are stripped."""
    present = set(columns)
    repeated = [m["base"] for c in columns if (m := _MANGLED.match(c)) and m["base"] in present]
    stripped = Counter(c.strip() for c in columns)
    repeated += [c for c, n in stripped.items() if n > 1]
    return list(dict.fromkeys(c.strip() for c in repeated))


def _quoted(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else "one of " + ", ".join(quoted)


def check_header(columns: list[str], schema: FileSchema, path: Path | str) -> ColumnsFound:
    """Check a file's header against its schema: each column is looked at once, never a row.

    Raises:
        InputError: a header is repeated (pandas would keep one copy as `outcome.1` and the figures would use
            the other), or a header is a near miss of a schema column (its values would be ignored and the
            column's default used instead: a typo must never change a figure unnoticed). A near miss of a
            column that is also present is an error too: which of the two is meant is ambiguous.
    """
    repeated = _duplicated_headers(columns)
    if repeated:
        names = ", ".join(f"`{c}`" for c in repeated)
        raise InputError(
            f"{path}: column {names} appears more than once in the header; keep one copy (reportkit would use "
            "one and ignore the other)"
        )
    known = list(schema.columns)
    headers = [c.strip() for c in columns]
    unknown = [c for c in headers if c not in schema.columns]
    problems = []
    for name in unknown:
        meant = near_misses(name, known)
        if meant:
            also = [m for m in meant if m in headers]
            clash = f" (`{also[0]}` is also present: remove or rename one of the two)" if also else ""
            problems.append(f"column `{name}` is not known; did you mean {_quoted(meant)}?{clash}")
    if problems:
        raise InputError(
            f"{path}: " + "; ".join(problems) + " (rename it to the documented name; docs/inputs.md lists every column)"
        )
    absent = [c for c in known if c not in headers and not schema.columns[c].required]
    return ColumnsFound(unknown=tuple(unknown), absent=tuple(absent))


def read_text_frame(path: str | Path, schema: FileSchema) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file as text, check its columns, and add absent optional ones.

    Columns not in the schema are dropped (they change no figure) and, with the optional columns the file
    lacks, recorded in `frame.attrs` (see `columns_found`) for the warning and the run's settings lines.

    Raises:
        InputError: the file is missing or unreadable, repeats a header, has a near miss of a schema
            column, or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{schema.name} file not found: {path}")
    data = path.read_bytes()  # read once: parsed and hashed from these very bytes
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = _read_binary(path, data, pd.read_parquet)
    elif suffix in (".xlsx", ".xls"):
        frame = _read_binary(path, data, pd.read_excel)
    else:
        frame = _read_csv(path, data)
    found = check_header([str(c) for c in frame.columns], schema, path)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in schema.required if c not in frame.columns]
    if missing:
        found_names = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; found {found_names}")
    if schema.one_of and not any(c in frame.columns for c in schema.one_of):
        raise InputError(f"{path}: needs at least one of the columns {', '.join(schema.one_of)}")
    frame = frame.drop(columns=list(found.unknown))
    for name, column in schema.columns.items():
        if name not in frame.columns:
            frame[name] = pd.Series(column.default, index=frame.index, dtype="str")
        else:
            text = frame[name].astype("str").str.strip()  # vectorised (Arrow strings), not per row
            text = text.mask(text == "")
            frame[name] = text.fillna(column.default) if column.default is not None else text
    frame[LINE_COLUMN] = np.arange(2, len(frame) + 2)
    frame.attrs[COLUMNS_FOUND] = found
    frame.attrs[INPUT_SHA256] = hashlib.sha256(data).hexdigest()  # what was parsed, even if the file changes later
    frame.attrs[INPUT_BYTES] = len(data)
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
