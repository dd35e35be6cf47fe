"""Reading the input files (complaints, redress lines, context figures) as text, then typing them.

Every read failure becomes a one-line InputError naming the file (kedro's habit: wrap every I/O
boundary). Values are read as text so that the great-expectations suites see exactly what the user
wrote; `to_typed` parses them only after they have passed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from reportkit.distinct import by_value, in_threads
from reportkit.errors import EnvironmentProblem, InputError
from reportkit.mapping import MAPPED, MAPPED_FILES, RENAMED, SOURCE_HEADERS, Mapping, apply_values, rename_headers
from reportkit.money import parse_units
from reportkit.schema import Column, FileSchema, load_schema
from reportkit.xlsx_formulas import uncalculated_formulas

LINE_COLUMN = "_line"
"""Where each row came from, for row-level messages: in a CSV the file line its record starts on (the header is
line 1; quoted line breaks and blank lines counted); in a workbook the worksheet's row number (header row 1); in a
Parquet file the 1-based row number (row 1 is the first row). `row_word` says which."""


def row_word(file: str | Path) -> str:
    """The word for LINE_COLUMN in `file`: "line" for a CSV file, "row" for a Parquet file or workbook."""
    return "row" if Path(str(file)).suffix.lower() in (".parquet", ".xlsx", ".xls") else "line"


_TRUE = {"true", "1", "yes"}

MESSAGE_VALUE_LIMIT = 60
"""Characters of a value or parser text a read error repeats (as findings do: validation.report.VALUE_LIMIT)."""

SNIFF_BYTES = 65_536
"""How much of the start of a file is looked at to tell CSV text from UTF-16, gzip, a workbook or binary."""

BLOCK_SIZE = 1 << 20
"""pyarrow's block (1 MB): a record longer than this is read again with a block that holds it."""


def read_input_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, read once (the format is sniffed and the line numbers found from these very bytes).

    Raises:
        InputError: the path does not exist (exit 2).
        EnvironmentProblem: the path exists but cannot be read: a folder, no permission, an I/O error (exit 4).
    """
    try:
        if path.is_dir():
            raise EnvironmentProblem(
                f"cannot read {path}: it is a folder, where the {what} file is needed; give a file"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise EnvironmentProblem.from_os_error(exc, "read", path) from None


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 text without a byte-order mark: most odd (or even) bytes are NUL, as in `c\0o\0m\0`."""
    half = len(sample) // 2
    return half >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) > 0.7 * half


def content_problem(head: bytes, expected: str = "csv") -> str | None:
    """What a file really is when it is not what its name says, from its first bytes; None when it may be.

    Args:
        head: the first bytes of the file (SNIFF_BYTES are enough).
        expected: "csv", "parquet" or "xlsx", from the file's suffix.
    """
    fix = {
        "csv": "save it as CSV UTF-8 (in Excel: Save As, 'CSV UTF-8 (Comma delimited)')",
        "parquet": "give a Parquet file, or name a CSV file .csv",
        "xlsx": "give an .xlsx workbook, or name a CSV file .csv",
    }[expected]
    magic = {"parquet": b"PAR1", "xlsx": b"PK\x03\x04"}
    if expected in magic and head.startswith(magic[expected]):
        return None
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return f"is UTF-32 text: {fix}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head[:SNIFF_BYTES]):
        return f"is UTF-16 text: {fix}"
    if head.startswith(b"\x1f\x8b"):
        return "is gzip-compressed: decompress it (gunzip) and give the file inside"
    if head.startswith(b"PK\x03\x04"):
        return f"is an Excel workbook or another zip archive, not {expected} content: {fix}"
    if head.startswith(b"PAR1"):
        return "is a Parquet file: name it .parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return f"is an old-style Excel (.xls) or other Office file: {fix}"
    if head.startswith(b"%PDF"):
        return f"is a PDF document: {fix}"
    if b"\x00" in head[:SNIFF_BYTES]:
        return f"holds binary content (NUL bytes), not text: {fix}"
    if expected in magic:
        kind = "a Parquet file" if expected == "parquet" else "an .xlsx workbook"
        return f"is not {kind} (it looks like text): {fix}"
    return None


def _cut(text: str, limit: int = MESSAGE_VALUE_LIMIT) -> str:
    """A value as a message repeats it: at most `limit` characters, then "... (N characters)"."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


@dataclass(frozen=True)
class Records:
    """Where each record of a CSV file starts and how many fields it has, found from the raw bytes."""

    lines: np.ndarray
    """The 1-based file line each record starts on (the header's first), blank lines skipped as pyarrow does."""
    fields: np.ndarray
    """The number of fields of each record (separators outside quotes, plus one)."""
    lengths: np.ndarray
    """Each record's length in bytes."""
    unclosed: bool = False
    """The last record opens a quoted value that is never closed (it runs to the end of the file)."""


def csv_records(data: bytes, with_fields: bool = False) -> Records:
    """Find the records of a CSV file from its bytes, vectorised (numpy over positions, never a loop per row).

    A line end inside double quotes (an odd number of `"` before it: an escaped `""` adds two) continues the
    record, so a record that holds a quoted line break starts on its first line and the next record on the
    line after its last. Empty lines are skipped (pyarrow does the same), so they count as lines but are no
    record. Line ends are LF, CRLF or a lone CR.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    n = len(raw)
    quotes = np.flatnonzero(raw == ord('"'))
    if len(quotes):  # a quote inside an unquoted value (`5" screen`) is a letter to pyarrow: only the quotes at
        # a value's start or end, or doubled, open and close quoted values
        bounds = np.frombuffer(b',\n\r"', dtype=np.uint8)
        opens = (quotes == 0) | np.isin(raw[np.maximum(quotes - 1, 0)], bounds)
        closes = (quotes == n - 1) | np.isin(raw[np.minimum(quotes + 1, n - 1)], bounds)
        quotes = quotes[opens | closes]
    ends = np.flatnonzero(raw == ord("\n"))  # every physical line end, in order
    if b"\r" in data:
        cr = np.flatnonzero(raw == ord("\r"))
        lone_cr = cr[(cr + 1 >= n) | (raw[np.minimum(cr + 1, n - 1)] != ord("\n"))]
        ends = np.union1d(ends, lone_cr) if len(lone_cr) else ends
    quoted = np.searchsorted(quotes, ends) % 2 == 1
    line_of_next = np.flatnonzero(~quoted) + 2  # the line after the j-th line end is line j + 2
    terminators = ends[~quoted]
    starts = np.concatenate([[0], terminators + 1])
    stops = np.concatenate([terminators, [n]])
    lines = np.concatenate([[1], line_of_next])
    lengths = stops - starts
    first = raw[np.minimum(starts, max(n - 1, 0))] if n else np.zeros(len(starts), dtype=np.uint8)
    blank = (lengths == 0) | ((lengths == 1) & (first == ord("\r")))  # "\r" of a CRLF blank line
    fields = np.zeros(len(starts), dtype=np.int64)
    if with_fields:
        commas = np.flatnonzero(raw == ord(","))
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
        fields = np.searchsorted(commas, stops) - np.searchsorted(commas, starts) + 1
    keep = ~blank
    return Records(lines[keep], fields[keep], lengths[keep], unclosed=bool(len(quotes) % 2))


def _one_record_per_line(data: bytes, records: int) -> bool:
    """True when the file's lines are exactly its header and `records` records (no blank line, LF or CRLF ends):
    then record k is on line k + 2. Counting LFs is one fast pass; looking for blank lines would be several."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines == records + 1


TEXT = pa.large_string()
"""Plain text: `large_string`, the type pandas' own string columns hold, so the frame is made without a copy."""
CODED = pa.dictionary(pa.int32(), pa.large_string())
"""Text stored as categories: each distinct value once, and each row its number (pandas: a categorical)."""


def _parse_csv(data: bytes, quoted: bool, block_size: int, plain: frozenset[str]) -> pa.Table:
    """Parse with pyarrow (several times faster than pandas' own parser on big extracts), every column as text:
    the columns in `plain` (by their name without outer spaces) as plain text, the others as categories."""
    read = pa_csv.ReadOptions(block_size=block_size)
    parse = pa_csv.ParseOptions(newlines_in_values=quoted)  # the quote-aware chunker only when a quote is there
    names = pa_csv.open_csv(pa.BufferReader(data), read_options=read, parse_options=parse).schema.names
    convert = pa_csv.ConvertOptions(
        column_types={name: TEXT if name.strip() in plain else CODED for name in names},
        strings_can_be_null=True,
        null_values=[""],
    )
    return pa_csv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse, convert_options=convert)


_RAGGED = re.compile(r"Expected (\d+) columns, got (\d+)")


def _ragged_message(path: Path, data: bytes, reason: str) -> str:
    """A record with the wrong number of fields, named by line and field count: never its content, which may
    hold personal data (an adviser's NI number and date of birth)."""
    records = csv_records(data, with_fields=True)
    expected = int(records.fields[0]) if len(records.fields) else 0
    wrong = np.flatnonzero(records.fields != expected)
    match = _RAGGED.search(reason)
    if not len(wrong):  # our count and pyarrow's disagree (an unusual quote): say what pyarrow counted
        found = f"a row has {match[2]} fields" if match else "a row has another number of fields"
        return f"{path}: {found} where the header has {match[1] if match else expected}; check the quoting"
    first = wrong[0]
    more = f" ({len(wrong)} rows have the wrong number of fields)" if len(wrong) > 1 else ""
    spans = first + 1 < len(records.lines) and records.lines[first + 1] - records.lines[first] > 1
    hint = (
        '; a `"` that is never closed joins the lines after it into one field'
        if b'"' in data and (spans or first == len(records.lines) - 1)
        else ""
    )
    return (
        f"{path}: line {int(records.lines[first])} has {int(records.fields[first])} fields where the header has "
        f"{expected}{more}; fix that row (a separator or quote too many or too few){hint}"
    )


def _not_utf8_message(path: Path, data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            f"{path}: not UTF-8 text (line {line} has byte 0x{data[exc.start]:02x}, as Windows-1252 or Latin-1 "
            "write accented letters and £); save the extract as CSV UTF-8"
        )
    return f"{path}: not UTF-8 text; save the extract as CSV UTF-8"


def _read_csv(path: Path, data: bytes, plain: frozenset[str]) -> tuple[pa.Table, np.ndarray]:
    """Read every column as text; returns the table and the file line each record starts on.

    Big clean files take the fast path: no quote and no blank line means record k is on line k + 2. Only a file
    with a quote or a blank line has its record start lines found from its bytes (csv_records).
    """
    if len(data) <= SNIFF_BYTES and not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError(f"{path}: the file is empty; expected a CSV with a header row")
    problem = content_problem(data[:SNIFF_BYTES], "csv")
    if problem:
        raise InputError(f"{path}: {problem}")
    quoted = b'"' in data
    if b"\n" not in data and b"\r" not in data:  # a header alone without a line end: pyarrow sees no row at all
        data += b"\n"
    try:
        try:
            table = _parse_csv(data, quoted, BLOCK_SIZE, plain)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc) and "block" not in str(exc).lower():
                raise
            # A record longer than a block (a long free-text value, or a quote never closed): read again with
            # a block that holds the longest record, so the record is parsed (and named by line if it is wrong).
            longest = int(csv_records(data).lengths.max(initial=0))
            table = _parse_csv(data, quoted, max(BLOCK_SIZE, 2 * longest + 1024), plain)
    except pa.ArrowInvalid as exc:
        reason = str(exc)
        if _RAGGED.search(reason):
            raise InputError(_ragged_message(path, data, reason)) from None
        if "utf8" in reason.lower() or "utf-8" in reason.lower():
            raise InputError(_not_utf8_message(path, data)) from None
        kind = reason.split(":")[0] if ":" in reason else _printable(reason)
        raise InputError(  # the parser's own words may quote the file's content: only their kind is shown
            f"{path}: not a readable CSV file ({_cut(kind)}); expected UTF-8 text with a header row"
        ) from None
    rows = table.num_rows
    if quoted or not _one_record_per_line(data, rows):
        records = csv_records(data)
        lines = records.lines[1:]
        if len(lines) == rows:  # pyarrow and csv_records agree on the records (else: an unusual quote)
            if records.unclosed:
                raise InputError(
                    f'{path}: line {int(records.lines[-1])}: a `"` opens a quoted value that is never closed, so '
                    'every line after it is read as part of one value; close the quote (a `"` inside a quoted value '
                    'is written `""`)'
                )
            return table, lines
    return table, np.arange(2, rows + 2)


def _check_parquet_header(path: Path, data: bytes) -> None:
    """A Parquet file's column names repeated are refused as a CSV header's are (pyarrow's own message for it
    names its internal fields); a file whose schema cannot be read is left to the reader's message."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(io.BytesIO(data)).names
    except Exception:  # noqa: BLE001 - reported by the read that follows, in its words
        return
    repeated = [name for name, n in Counter(str(c).strip() for c in names).items() if n > 1]
    if repeated:
        shown = ", ".join(f"`{name}`" for name in repeated)
        raise InputError(
            f"{path}: column {shown} appears more than once in the file; keep one copy (reportkit would use one "
            "and ignore the other)"
        )


def _whole_words(text: str) -> str:
    """A message cut at a length ends at a whole word, with "..." where it was cut."""
    if len(text) < MESSAGE_VALUE_LIMIT:
        return text
    return text.rsplit(" ", 1)[0].rstrip(" :,;'\"") + "..."


def _printable(text: str, limit: int = MESSAGE_VALUE_LIMIT) -> str:
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


def _open_sheet(path: Path, data: bytes, sheet: str | None):
    """The workbook's `sheet` (its first when None), opened with python-calamine: a 200,000-row workbook reads in
    about 3 s where openpyxl takes 17 s; date cells come as dates, text cells as text.

    Raises:
        InputError: not a workbook, or no sheet of that name (its sheets listed, with a did-you-mean).
    """
    from python_calamine import CalamineWorkbook

    problem = content_problem(data[:SNIFF_BYTES], "xlsx")
    if problem:
        raise InputError(f"{path}: {problem}")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own types (zip, XML, password): all mean "cannot read"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot be read as xlsx: {_printable(reason)}") from None
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise InputError(f"{path}: the workbook has no sheet")
        return book.get_sheet_by_index(0)
    if sheet not in names:
        close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        raise InputError(
            f"{path}: the workbook has no sheet `{sheet}` (--sheet); {hint}its sheets are "
            + ", ".join(f"`{n}`" for n in names)
        )
    return book.get_sheet_by_name(sheet)


def _cell_text(value: object) -> str | None:
    """One cell of a column that mixes kinds (text beside numbers or dates) as the text a CSV would hold."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _workbook_column(cells: np.ndarray) -> pa.Array:
    """A worksheet column (calamine's cells: text, numbers, booleans, dates; "" when empty) as text: a column of
    text alone is handed to Arrow as it is; any other is turned to text by kind, cell by cell only when it mixes
    kinds. Whole numbers lose their `.0` (an FRN typed as a number is `123456`); a date cell is YYYY-MM-DD."""
    try:
        text = pa.array(cells, pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        series = pd.Series(cells, dtype=object)
        kind = pd.api.types.infer_dtype(series.where(series != ""), skipna=True)
        if kind in ("integer", "floating", "mixed-integer-float"):
            numbers = pd.to_numeric(series.where(series != ""), errors="coerce")
            shown = numbers.astype(str)
            whole = (numbers == np.floor(numbers)) & numbers.notna()
            shown[whole] = numbers[whole].astype("int64").astype(str)
            text = pa.array(shown.where(numbers.notna(), None).to_numpy(dtype=object), pa.large_string())
        elif kind in ("datetime", "date", "datetime64"):
            dates = pd.to_datetime(series.where(series != ""), errors="coerce")
            text = pa.array(dates.dt.strftime("%Y-%m-%d").to_numpy(dtype=object, na_value=None), pa.large_string())
        else:
            text = pa.array([_cell_text(v) for v in cells.tolist()], pa.large_string())
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)


def _read_workbook(path: Path, data: bytes, sheet: str | None) -> tuple[pa.Table, np.ndarray]:
    """A worksheet as text, with each row's worksheet row number (the header is row 1; rows with no value at all
    are skipped, and the numbers of the rows after them stay as Excel shows them). Columns are kept from A, so
    a column's letter is its position."""
    rows = _open_sheet(path, data, sheet).to_python(skip_empty_area=False)
    if not rows:
        raise InputError(f"{path}: the sheet is empty; expected a header row")
    width = max(len(r) for r in rows)
    header = [_cell_text(v) or "" for v in rows[0]] + [""] * (width - len(rows[0]))
    _refuse_uncalculated_formulas(path, data, sheet, header)
    grid = np.empty((len(rows) - 1, width), dtype=object)  # calamine's grid is rectangular: one copy, no loop
    grid[:] = rows[1:] if len(rows) > 1 else grid
    given = (grid != "").any(axis=1)
    numbers = np.flatnonzero(given) + 2
    grid = grid[given]
    arrays = in_threads(lambda j: _workbook_column(grid[:, j]), list(range(width)))
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    return pa.Table.from_arrays(arrays, names=names), numbers


def _refuse_uncalculated_formulas(path: Path, data: bytes, sheet: str | None, header: list[str]) -> None:
    """Refuse a sheet with formula cells that hold no saved value: they would read as empty cells, and a
    date or code that is a formula would silently change figures (reportkit.xlsx_formulas)."""
    found = uncalculated_formulas(data, sheet)
    if not found.count:
        return

    def named(cell: str) -> str:
        letters = re.match(r"[A-Z]+", cell)
        index = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letters.group()))) - 1 if letters else -1
        column = header[index] if 0 <= index < len(header) and header[index] else None
        return f"{cell} (column `{_printable(column)}`)" if column else cell

    more = f" and {found.count - len(found.first)} more" if found.count > len(found.first) else ""
    raise InputError(
        f"{path}: {found.count} formula cell(s) hold no saved value ({', '.join(map(named, found.first))}{more}): "
        "the workbook was saved by a program that does not calculate formulas, and these cells would read as "
        "empty; open and save it in Excel or LibreOffice, or export values rather than formulas, then run again"
    )


def _read_binary(path: Path, data: bytes, reader) -> pa.Table:
    """Read a Parquet file or workbook from its bytes (already read: an OSError there is exit 4) as text."""
    expected = "parquet" if path.suffix.lower() == ".parquet" else "xlsx"
    problem = content_problem(data[:SNIFF_BYTES], expected)
    if problem:
        raise InputError(f"{path}: {problem}")
    if expected == "parquet":
        _check_parquet_header(path, data)
    try:
        frame = reader(io.BytesIO(data))
    except Exception as exc:  # pyarrow and openpyxl raise many types; all mean "cannot read"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"{path}: cannot be read as {expected} (damaged, cut short, or another kind of file: export it again): "
            f"{_whole_words(_printable(reason))}"
        ) from None
    columns = [str(col) if str(col) not in ("", "nan") else "" for col in frame.columns]
    texts = [pa.array(_as_text(frame[col]).to_numpy(dtype=object, na_value=None), pa.large_string())
             for col in frame.columns]  # fmt: skip
    return pa.Table.from_arrays(texts, names=columns)


EMPTY_COLUMNS = "reportkit_empty_columns"
"""Key of `DataFrame.attrs` under which a workbook's dropped empty, unnamed columns are counted."""


def drop_empty_unnamed(table: pa.Table) -> tuple[pa.Table, tuple[str, ...]]:
    """Drop the columns Excel leaves without a header and without a value (`Unnamed: 7`, all empty): a sheet
    formatted beyond its data has them, as has a CSV whose rows end in a separator. An unnamed column that holds
    a value is kept (and reported as unknown)."""
    names = table.column_names
    unnamed = [i for i, c in enumerate(names) if str(c).startswith("Unnamed: ") or not str(c).strip()]
    empty = [i for i in unnamed if table.column(i).null_count == table.num_rows]
    dropped = tuple(str(names[i]) or f"(column {i + 1})" for i in empty)
    for i in reversed(empty):  # by position: a header may name several columns alike (or none)
        table = table.remove_column(i)
    return table, dropped


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
    may_hold: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(unknown header, the absent columns it may hold): said in the unknown-columns warning (absent_column_named)."""


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


def absent_column_named(name: str, absent: list[str], schema: FileSchema) -> list[str]:
    """The absent optional columns an unknown header may hold, though it is no near miss by spelling: the
    unknown-columns warning names them, since the header's values are ignored and the column's default is used.
    A warning, not an error: an export's own `date_forwarded` or `handler_name` is as likely as a renamed column.

    Looked for only among the schema's optional columns the file lacks:
    the column's whole name among more words (`forwarded_to_other_firm`, `is_eligible_complainant`);
    for a flag whose default decides figures (a column with a default), its first word among the header's
    words (`goodwill_paid` for `goodwill_payment`, `is_eligible` for `eligible_complainant`);
    for an amount, its first word beside a word for an amount (`total_redress`, `redress_paid`; not
    `redress_type`, which says what kind of redress, not how much).
    """
    key = header_key(name)
    words = set(key.split("_"))
    named = [column for column in absent if f"_{column}_" in f"_{key}_"]
    if named:
        return named

    def holds(column: str) -> bool:
        spec = schema.columns[column]
        first = column.split("_")[0] in words
        if spec.parse == "money":
            return first and bool(words & AMOUNT_WORDS)
        return first and spec.default is not None

    return [column for column in absent if holds(column)]


AMOUNT_WORDS = frozenset({"amount", "paid", "total", "value", "sum", "gbp", "pounds"})
"""Words that make a header an amount (`total_redress`, `redress_paid`): see absent_column_named."""


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
    absent = [c for c in known if c not in headers and not schema.columns[c].required]
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
    may_hold = tuple((name, tuple(held)) for name in unknown if (held := absent_column_named(name, absent, schema)))
    return ColumnsFound(unknown=tuple(unknown), absent=tuple(absent), may_hold=may_hold)


def read_text_frame(
    path: str | Path, schema: FileSchema, mapping: Mapping | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file as text, check its columns, and add absent optional ones.

    Columns not in the schema are dropped (they change no figure) and, with the optional columns the file
    lacks, recorded in `frame.attrs` (see `columns_found`) for the warning and the run's settings lines.

    Args:
        mapping: the export's mapping (reportkit.mapping): its headers are renamed before they are checked,
            and its values, dates and booleans applied per distinct value (`mapping.apply_values`).
        sheet: the sheet of a workbook to read (default: its first).

    Raises:
        InputError: the file is missing or unreadable, repeats a header, has a near miss of a schema
            column, or lacks a required column; a workbook lacks `sheet`.
    """
    path = Path(path)
    data = read_input_bytes(path, schema.name)
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in (".xlsx", ".xls"):
        raise InputError(f"{path}: --sheet {sheet} names a sheet of a workbook, and this is not an .xlsx file")
    if suffix == ".parquet":
        table = _read_binary(path, data, pd.read_parquet)
        lines = np.arange(1, table.num_rows + 1)  # a Parquet file has rows, not lines: row 1 is the first
    elif suffix in (".xlsx", ".xls"):
        table, lines = _read_workbook(path, data, sheet)  # the worksheet's row numbers: the header is row 1
    else:
        table, lines = _read_csv(path, data, frozenset(schema.plain_text))
    letters = {str(c).strip(): column_letter(i) for i, c in enumerate(table.column_names)}  # before any is dropped
    table, empty = drop_empty_unnamed(table)
    renamed = None
    if mapping is not None and schema.name in MAPPED_FILES:
        renamed = rename_headers([str(c) for c in table.column_names], mapping, schema.name, path)
        letters = {
            name.strip(): letters[str(c).strip()] for name, c in zip(renamed.names, table.column_names, strict=True)
        }
        table = table.rename_columns(renamed.names)
        for i in reversed(renamed.ignored):
            table = table.remove_column(i)
    headers = [str(c) for c in table.column_names]
    if headers and not any(header_key(c) in schema.columns for c in headers):
        raise InputError(  # its values are not shown: the first line may be a complaint, with personal data
            f"{path}: the first line is not a header: none of its {len(headers)} values is a column name of "
            f"the {schema.name} file; add the header row (docs/inputs.md lists the columns)"
        )
    found = check_header(headers, schema, path)
    present = {c.strip(): i for i, c in enumerate(headers)}
    missing = [c for c in schema.required if c not in present]
    if missing:
        found_names = _cut(", ".join(present), 200) or "none"
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; found {found_names}")
    if schema.one_of and not any(c in present for c in schema.one_of):
        raise InputError(f"{path}: needs at least one of the columns {', '.join(schema.one_of)}")
    # The file's known columns in its order, then the optional ones it lacks (with their default).
    order = [c for c in present if c in schema.columns] + [c for c in schema.columns if c not in present]
    mapped = renamed is not None and mapping is not None and mapping.changes_values(schema.name)
    # A mapped file's columns are read without defaults: the mapping may say what an empty cell means (`""`
    # under booleans), and the defaults fill what it leaves empty. A column the export lacks has no cells for
    # the mapping to read: it takes its documented default, as in any other file.
    specs = {n: replace(c, default=None) if mapped and n in present else c for n, c in schema.columns.items()}
    columns = in_threads(
        lambda name: clean_text(table.column(present[name]) if name in present else None, specs[name], table.num_rows),
        order,
    )
    frame = pd.DataFrame(dict(zip(order, columns, strict=True)))
    if mapped:
        defaults = {n: c.default for n, c in schema.columns.items() if c.default is not None}
        workbook = suffix in (".xlsx", ".xls")
        frame = apply_values(frame, mapping, schema.name, workbook, defaults, exported=set(present))
    if mapping is not None and schema.name in MAPPED_FILES:
        frame.attrs[MAPPED] = mapping
        frame.attrs[SOURCE_HEADERS] = renamed.sources if renamed else {}
        frame.attrs[RENAMED] = renamed
    if suffix in (".xlsx", ".xls"):
        frame.attrs[CELL_LETTERS] = {c: letters[c] for c in schema.columns if c in letters}
    frame[LINE_COLUMN] = lines
    frame.attrs[COLUMNS_FOUND] = found
    frame.attrs[INPUT_SHA256] = hashlib.sha256(data).hexdigest()  # what was parsed, even if the file changes later
    frame.attrs[INPUT_BYTES] = len(data)
    frame.attrs[EMPTY_COLUMNS] = empty
    return frame


def read_export_table(path: str | Path, sheet: str | None = None) -> tuple[pa.Table, str]:
    """A file's header and values as text, whatever its headers (for `reportkit init-mapping`, which reads an
    export before any mapping exists); returns the table (every column categories) and the file's name.

    Raises:
        InputError: the file is missing, empty, or not a CSV, Parquet file or workbook its name says.
    """
    path = Path(path)
    data = read_input_bytes(path, "export")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = _read_binary(path, data, pd.read_parquet)
    elif suffix in (".xlsx", ".xls"):
        table, _ = _read_workbook(path, data, sheet)
    else:
        table, _ = _read_csv(path, data, frozenset())
    table, _ = drop_empty_unnamed(table)
    return table, path.name


CELL_LETTERS = "reportkit_cell_letters"
"""Key of `DataFrame.attrs` of a workbook's frame: reportkit column -> its worksheet column letter (`B`), so a
message names the cell (`B17`) as the user sees it."""


def column_letter(index: int) -> str:
    """The worksheet letter of the 0-based column `index`: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_text(values: pa.ChunkedArray | None, column: Column, rows: int) -> pd.Series:
    """A column as the suites see it: outer whitespace trimmed, an empty value missing, a missing value the
    column's default (when it has one); an absent column (`values` None) is its default on every row. A
    `plain_text` column is pandas text, any other a categorical (the same values, each distinct one once)."""
    if values is None:
        values = pa.chunked_array([pa.nulls(rows, TEXT)])
    if not column.plain_text:
        return _clean_categories(values, column.default)
    text = pc.utf8_trim_whitespace(values.cast(TEXT))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, TEXT), text)
    text = pc.fill_null(text, column.default) if column.default is not None else text
    return text.to_pandas()


def as_plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its categorical columns as plain text (for small frames that build messages from values)."""
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: "str" for c in categorical}) if categorical else frame


def _clean_categories(values: pa.ChunkedArray, default: str | None) -> pd.Series:
    """clean_text for a column held as categories: the cleaning is done once per distinct value and the rows
    keep their numbers (values that differ only in outer spaces become one category)."""
    if not pa.types.is_dictionary(values.type):  # a Parquet or workbook column, or an absent one
        values = pc.dictionary_encode(values.cast(TEXT))
    raw = pd.Series(values.to_pandas(), copy=False).astype("category")
    names = pd.Series(raw.cat.categories, dtype="str").str.strip()
    names = names.mask(names == "")
    codes = raw.cat.codes.to_numpy()
    if default is not None:  # the default is one more category for the rows with no value
        names = pd.concat([names, pd.Series([default], dtype="str")], ignore_index=True)
        codes = np.where(codes >= 0, codes, len(names) - 1)
        names = names.fillna(default)
    cleaned = pd.Categorical(names)  # merges names that now agree; sorted text categories, as astype makes them
    new = cleaned.codes[codes] if len(names) else codes
    return pd.Series(pd.Categorical.from_codes(np.where(codes >= 0, new, -1), categories=cleaned.categories))


def read_complaints(path: str | Path, mapping: Mapping | None = None, sheet: str | None = None) -> pd.DataFrame:
    return read_text_frame(path, load_schema("complaints"), mapping, sheet)


def read_redress(path: str | Path, mapping: Mapping | None = None) -> pd.DataFrame:
    return read_text_frame(path, load_schema("redress"), mapping)


def read_context(path: str | Path) -> pd.DataFrame:
    return read_text_frame(path, load_schema("context"))


def to_typed(frame: pd.DataFrame, schema: FileSchema) -> pd.DataFrame:
    """Parse validated text columns: dates to datetime64, booleans to bool, money to integer units.

    Call only after validation passed: values that do not parse become NaT/NaN rather than raising.
    """
    typed = frame.copy()
    for name, column in schema.columns.items():
        values = typed[name]
        # Each distinct value is parsed once (reportkit.distinct): a few hundred dates, not millions.
        if column.parse == "date":
            typed[name] = by_value(values, _parse_dates).astype("datetime64[s]")
        elif column.parse == "bool":
            typed[name] = by_value(values, _parse_bools).astype(bool)
        elif column.parse == "money":
            typed[name] = by_value(values, parse_units)  # exact: digits to integer units, never through a float
        elif column.parse == "number":
            typed[name] = by_value(values, lambda v: pd.to_numeric(v, errors="coerce"))
    return typed


def _parse_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _parse_bools(values: pd.Series) -> pd.Series:
    return values.astype("string").str.lower().isin(_TRUE)
