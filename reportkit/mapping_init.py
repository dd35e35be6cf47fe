"""`reportkit init-mapping`: a commented starting mapping written from the export itself.

Every column of the export gets its best reportkit column (the same name up to case and spaces, or a near one) or
`null` with a comment when none is close; for each coded column, every distinct value with its count, pre-filled
where it equals a code or a label up to case and spaces, and blank otherwise (a run refuses a blank code, listing
them all, so nothing unfilled is ever read as empty). Flags and dates get a proposal from the values found. On a
canonical extract the result changes nothing: every header and value is already reportkit's own.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import yaml

from reportkit.extract import header_key, read_export_table
from reportkit.mapping import ISO_DATE, bool_columns, coded_columns, date_columns
from reportkit.schema import load_schema

NEAR_NAME_RATIO = 0.6
"""How alike a header must be to a reportkit column (difflib's ratio, on the name and on its words in any order)
to be proposed for it: `Date Received` ~ received_date (same words), `Outcomes` ~ outcome, `Handler` ~ nothing."""

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%m/%d/%Y")
"""Date forms a proposal tries, UK day-first forms first: the first that reads every date of the export is
proposed (and a day-first/month-first tie said in a comment). The run never guesses: it uses what the file says."""

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
CANONICAL_FLAGS = frozenset({"true", "false", "TRUE", "FALSE", "True", "False"})
"""The flags validation accepts as they are: a column holding only these needs no `booleans:` entry."""


def _words(text: str) -> str:
    return " ".join(sorted(header_key(text).split("_")))


def name_score(header: str, column: str) -> float:
    """How alike a header and a reportkit column are, 0 to 1: difflib's ratio on the names and on their words in
    any order; a header holding every word of the column (`Date Received`, `Final Outcome`) scores 0.75 and more
    the fewer other words it has; a header whose words are all the column's (`FRN` for firm_frn) 0.65 and more."""
    ours, theirs = set(header_key(header).split("_")), set(column.split("_"))
    score = max(
        difflib.SequenceMatcher(None, header_key(header), column).ratio(),
        difflib.SequenceMatcher(None, _words(header), _words(column)).ratio(),
    )
    if theirs <= ours:
        score = max(score, 0.75 + 0.2 * len(theirs) / len(ours))
    elif ours <= theirs:
        score = max(score, 0.65 + 0.2 * len(ours) / len(theirs))
    return score


def best_targets(headers: list[str], file: str) -> dict[str, str | None]:
    """Each header -> the reportkit column proposed for it (exact up to case and spaces first, then by how alike
    the names are), or None; a column is proposed for one header only."""
    columns = list(load_schema(file).columns)
    proposed: dict[str, str | None] = {h: None for h in headers}
    taken: set[str] = set()
    for header in headers:  # exact names first, so a near one never takes a column the file has by name
        if header_key(header) in columns:
            proposed[header] = header_key(header)
            taken.add(header_key(header))
    scored = []
    for header in [h for h in headers if proposed[h] is None]:
        for column in columns:
            score = name_score(header, column)
            if score >= NEAR_NAME_RATIO:
                scored.append((score, header, column))
    for _, header, column in sorted(scored, key=lambda s: -s[0]):
        if proposed[header] is None and column not in taken:
            proposed[header] = column
            taken.add(column)
    return proposed


def _loose(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).casefold()


def _counts(values: pa.ChunkedArray) -> pd.Series:
    """Distinct values (trimmed, empty left out) with their counts, most frequent first, then by value."""
    series = pd.Series(values.to_pandas(), dtype="category").astype(object).dropna().astype(str).str.strip()
    series = series[series != ""]
    counts = series.value_counts()
    return counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")


def propose_format(values: list[str]) -> tuple[str | None, str]:
    """The date format proposed for these distinct values (None when they are already YYYY-MM-DD or none fits),
    and a comment saying why."""
    if not values or all(ISO_DATE.match(v) for v in values):
        return None, "every date is already YYYY-MM-DD: no format needed"
    fits = []
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(pd.Series(values), format=fmt, errors="coerce")
        if parsed.notna().all():
            fits.append(fmt)
    if not fits:
        return None, f"no common form reads every date (e.g. {values[0]!r}): write the strptime format"
    also = f"; the dates also read as {', '.join(fits[1:])}: check which the system writes" if len(fits) > 1 else ""
    return fits[0], f"every date of the export reads as {fits[0]}{also}"


@dataclass
class _Section:
    file: str
    name: str
    table: pa.Table
    targets: dict[str, str | None]


def _q(text: str) -> str:
    """`text` as a double-quoted YAML scalar."""
    dumped = yaml.safe_dump(str(text), default_style='"', allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n...\n").strip()


def starting_mapping(complaints: Path, redress: Path | None = None, sheet: str | None = None) -> str:
    """The text of a commented starting mapping for these export files (see the module's description).

    Raises:
        InputError: a file is missing or unreadable (as `run` would say).
    """
    sections = []
    for file, path in (("complaints", complaints), ("redress", redress)):
        if path is None:
            continue
        table, name = read_export_table(path, sheet if file == "complaints" else None)
        headers = [str(c).strip() for c in table.column_names]
        sections.append(_Section(file, name, table, best_targets(headers, file)))
    names = " and ".join(s.name for s in sections)
    lines = [
        f"# Starting mapping for {names}, written by `reportkit init-mapping`: check every line, fill in every",
        "# blank, then run with --mapping. docs/inputs.md ('Mapping your export') explains each key.",
        "columns:",
    ]
    for section in sections:
        lines.append(f"  {section.file}:                  # {section.name}")
        for header, target in section.targets.items():
            if target is None:
                lines.append(
                    f"    {_q(header)}: null    # no reportkit column close to it: name one, or keep null to ignore it"
                )
            else:
                how = "same name" if header_key(header) == target else "near name: check"
                lines.append(f"    {_q(header)}: {target}    # {how}")
    lines += _dates(sections) + _booleans(sections) + _values(sections)
    return "\n".join(lines) + "\n"


def _column(section: _Section, target: str) -> pa.ChunkedArray | None:
    for header, proposed in section.targets.items():
        if proposed == target:
            return section.table.column([str(c).strip() for c in section.table.column_names].index(header))
    return None


def _dates(sections: list[_Section]) -> list[str]:
    values: set[str] = set()
    for section in sections:
        for name in date_columns(section.file):
            column = _column(section, name)
            if column is not None:
                found = set(_counts(column).index)
                if section.name.lower().endswith((".xlsx", ".xls")):
                    # A workbook's date cells arrive as YYYY-MM-DD and are read as dates whatever the format:
                    # only its dates typed as text have a form for the format to read.
                    found = {v for v in found if not ISO_DATE.match(v)}
                values |= found
    if not values and any(_column(s, n) is not None for s in sections for n in date_columns(s.file)):
        return ['# dates: {format: "%d/%m/%Y"}    # every date is a date cell or YYYY-MM-DD: no format needed']
    if not values:
        return ['# dates: {format: "%d/%m/%Y"}    # no date column found']
    fmt, why = propose_format(sorted(values))
    if fmt is None:
        return [f'# dates: {{format: "%d/%m/%Y"}}    # {why}']
    return [f'dates: {{format: "{fmt}"}}    # {why}']


def _booleans(sections: list[_Section]) -> list[str]:
    found: pd.Series = pd.Series(dtype="int64")
    for section in sections:
        for name in bool_columns(section.file):
            column = _column(section, name)
            if column is not None:
                found = found.add(_counts(column), fill_value=0)
    if found.empty or set(found.index) <= CANONICAL_FLAGS:
        return ['# booleans: {"true": [Y, "Yes"], "false": [N, "No", ""]}    # the flags are already true/false']
    true = [v for v in found.index if v.casefold() in TRUE_WORDS]
    false = [v for v in found.index if v.casefold() in FALSE_WORDS]
    other = [f"{v!r} ({int(found[v])})" for v in found.index if v not in true and v not in false]
    lines = ["booleans:    # the flags of every true/false column; list each value the export uses"]
    lines.append(f'  "true": [{", ".join(_q(v) for v in true)}]')
    lines.append(f'  "false": [{", ".join(_q(v) for v in false)}]')
    if other:
        lines.append(f"  # not yet listed: {', '.join(other)}: add each to true or false")
    return lines


def _values(sections: list[_Section]) -> list[str]:
    lines = []
    for section in sections:
        for name, coded in coded_columns(section.file).items():
            column = _column(section, name)
            if column is None:
                continue
            counts = _counts(column)
            known = {_loose(c): c for c in coded.codes} | {_loose(lab): c for c, lab in coded.labels.items()}
            if all(v in coded.codes for v in counts.index):
                continue  # every value is already a code: nothing to map
            lines.append(
                f"  {name}:    # {section.name}: {len(counts)} distinct value(s); codes: "
                + (f"reportkit codes {coded.list_name}" if coded.list_name else ", ".join(coded.codes))
            )
            for value, count in counts.items():
                code = known.get(_loose(value))
                if code is not None:
                    lines.append(f"    {_q(value)}: {code}    # {count} row(s)")
                else:
                    lines.append(f"    {_q(value)}:    # {count} row(s): fill in its code")
    return ["values:", *lines] if lines else ["# values: {}    # every coded value is already a code"]


def write_new(path: Path, text: str) -> None:
    """Write `text` to a new file (never over an existing one: a mapping may hold hours of work)."""
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
