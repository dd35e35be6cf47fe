"""The mapping file (`--mapping FILE`): how a case system's export becomes reportkit's extract.

A firm's complaint system exports its own headers (`Complaint Ref`), its own labels (`Home Insurance`), its own
flags (`Y`/`N`) and its own dates (`31/12/2025`). The mapping declares, once, how each becomes a column, code,
boolean or date of docs/inputs.md, so the run does the translation (and records it) instead of an analyst's
spreadsheet. Four top-level keys, all optional:

    columns:   the export's column -> reportkit's column (null: ignore the column); flat, or per file under
               `complaints:` and `redress:` when the two files name a column differently
    dates:     {format: "%d/%m/%Y"}: one strptime format for every date column; never guessed
    booleans:  {"true": [Y, Yes], "false": [N, No, ""]}
    values:    per reportkit column: the export's value -> reportkit code (`""`: the value means empty; a blank
               code is refused, listing every blank at once, so a value left unfilled never counts as empty)

Every scalar is read as the text written (no YAML 1.1 booleans or numbers: `Yes` stays `Yes`, `01` stays `01`);
only an unquoted `null`, `~` or nothing is null. Checking is strict: an unknown key, a target column or code that
does not exist, two source columns sent to one target, a format that cannot write a date, are InputErrors (exit 2)
naming the file, line and key with a did-you-mean. Applying it (reportkit.extract) renames headers, then maps each
column's distinct values once (its categories), never row by row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from reportkit.codes import fixed_values
from reportkit.config import YAML_LOADER, did_you_mean, unreadable
from reportkit.errors import EnvironmentProblem, InputError
from reportkit.paths import EXPECTATIONS_DIR
from reportkit.schema import load_schema
from reportkit.taxonomy import load_taxonomy

TOP_LEVEL_KEYS = ("columns", "dates", "booleans", "values")
"""The only top-level keys of a mapping file (the issue's contract): anything else is a mistake to report."""

MAPPED_FILES = ("complaints", "redress")
"""The input files a mapping applies to (the context figures are reportkit's own format, never an export)."""

CANONICAL_TRUE = "true"
CANONICAL_FALSE = "false"

_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
"""Plain (unquoted) scalars YAML reads as null; a quoted "" is the empty text, not null."""


@dataclass(frozen=True)
class CodedColumn:
    """A column whose values must be one of a list of codes (from its file's expectation suite)."""

    name: str
    codes: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    """code -> the FCA's label, for a taxonomy list (`property` -> `Property`); empty for a short fixed list."""
    list_name: str | None = None
    """The taxonomy list (`reportkit codes LIST`), or None for a short fixed list."""


def _suite(name: str) -> dict:
    with open(EXPECTATIONS_DIR / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def coded_columns(file: str) -> dict[str, CodedColumn]:
    """Every column of `file` whose values are codes, with its codes and labels, read from where the rule lives
    (the file's expectation suite and the taxonomy), so a mapping is checked against exactly what validation
    accepts. Boolean columns (their own `booleans:` key) and firm_frn (codes from the configuration) are not
    coded columns."""
    taxonomy = load_taxonomy()
    schema = load_schema(file)
    found: dict[str, CodedColumn] = {}
    for expectation in _suite(file)["expectations"]:
        kwargs = expectation["kwargs"]
        column = kwargs.get("column")
        if expectation["type"] != "expect_column_values_to_be_in_set" or column not in schema.columns:
            continue
        if schema.columns[column].parse != "string":
            continue
        value_set = kwargs["value_set"]
        if isinstance(value_set, dict) and "$taxonomy" in value_set:
            name = value_set["$taxonomy"]
            labels = dict(taxonomy.labels[name])
            found[column] = CodedColumn(column, tuple(labels), labels, name)
        elif isinstance(value_set, list):
            found[column] = CodedColumn(
                column, tuple(fixed_values(column)) if file == "complaints" else tuple(value_set)
            )
    return found


@lru_cache(maxsize=None)
def date_columns(file: str) -> tuple[str, ...]:
    """The columns of `file` written as dates: those its suite checks with the `date_format` rule (received_date,
    closed_date, adviser_date_of_birth; paid_date). The mapping's one format applies to each."""
    columns = [
        e["kwargs"]["column"]
        for e in _suite(file)["expectations"]
        if e.get("meta", {}).get("rule") == "date_format" and "column" in e["kwargs"]
    ]
    return tuple(dict.fromkeys(columns))


def bool_columns(file: str) -> tuple[str, ...]:
    """The true/false columns of `file` (schema `parse: bool`): the `booleans:` key applies to each."""
    return tuple(c.name for c in load_schema(file).columns.values() if c.parse == "bool")


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file."""

    name: str
    """The file name (never its folder: it is shown on pages and sheets)."""
    path: Path
    text: str
    """The file's contents, as recorded in the manifest and shown on the review page."""
    sha256: str
    size: int
    columns: dict[str, dict[str, str | None]]
    """Input file (complaints, redress) -> the export's header -> reportkit's column, or None to ignore it."""
    date_format: str | None = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """reportkit column -> the export's value -> its code (None: the value means empty, written `""`)."""

    def headers(self, file: str) -> dict[str, str | None]:
        return self.columns.get(file, {})

    def changes_values(self, file: str) -> bool:
        """Whether the mapping may change any value of `file` (its values, dates or booleans)."""
        schema = load_schema(file)
        return bool(
            self.date_format
            or ((self.true_values or self.false_values) and bool_columns(file))
            or any(column in schema.columns for column in self.values)
        )


class _Reader:
    """A mapping file's YAML as plain values (every scalar the text written), with the line of every key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.marks: dict[tuple, yaml.Mark] = {}
        try:
            loader = YAML_LOADER(text)
        except yaml.YAMLError as exc:  # a character YAML refuses anywhere (a control character): read no further
            raise InputError(f"mapping {self.path}: cannot be read as YAML: {unreadable(exc, text)}") from None
        try:
            try:
                node = loader.get_single_node()
            except yaml.YAMLError:
                raise self._syntax_error(text) from None
        finally:
            loader.dispose()
        self.data = None if node is None else self._value(node, ())

    def _syntax_error(self, text: str) -> InputError:
        # The pure-Python parser says what it expected and found (libyaml is terser); both agree on where.
        try:
            loader = yaml.SafeLoader(text)
        except yaml.YAMLError as exc:
            return InputError(f"mapping {self.path}: cannot be read as YAML: {unreadable(exc, text)}")
        try:
            loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = " ".join("; ".join(p for p in (exc.context, exc.problem) if p).split())
            return InputError(f"{self.where(mark)}cannot be read as YAML: {problem}")
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
        return InputError(f"mapping {self.path}: cannot be read as YAML")

    def _value(self, node: yaml.Node, path: tuple) -> object:
        self.marks.setdefault(path, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, object] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error(path, "a key must be a plain value, not a list or mapping", key_node.start_mark)
                key = key_node.value
                if key in mapping:
                    raise self.error((*path, key), f"`{key}` appears twice; keep one", key_node.start_mark)
                self.marks[(*path, key)] = key_node.start_mark
                mapping[key] = self._value(value_node, (*path, key))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, (*path, i)) for i, item in enumerate(node.value)]
        if not node.style and node.value in _NULL_WORDS and node.tag != "tag:yaml.org,2002:str":
            return None
        return node.value  # the text as written: `Yes`, `on`, `01` stay what the user typed

    def where(self, mark: yaml.Mark | None) -> str:
        return f"mapping {self.path}" + (f", line {mark.line + 1}: " if mark is not None else ": ")

    def error(self, path: tuple, message: str, mark: yaml.Mark | None = None) -> InputError:
        mark = mark or self.marks.get(path)
        where = ".".join(str(p) for p in path)
        return InputError(f"{self.where(mark)}{where + ': ' if where else ''}{message}")


def _hint(word: str, known: list[str]) -> str:
    suggestion = did_you_mean(word, known)
    return f"did you mean `{suggestion}`?" if suggestion else f"expected one of {', '.join(known)}"


def _target_columns(files: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(c for f in files for c in load_schema(f).columns))


def _check_columns(reader: _Reader, raw: object) -> dict[str, dict[str, str | None]]:
    """`columns:` flat (applies to each file that has the source column) or per file (`complaints:`, `redress:`)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise reader.error(("columns",), "expected the export's columns, each `Its Header: reportkit_column`")
    # A section (a dict) anywhere means the per-file form; then every key must name a file, so a misspelt
    # `redres:` is reported rather than read as an export column called "redres".
    per_file = any(isinstance(v, dict) for v in raw.values()) or (
        bool(raw) and all(k in MAPPED_FILES and v is None for k, v in raw.items())
    )
    for key, value in raw.items() if per_file else ():
        if key not in MAPPED_FILES:
            raise reader.error(
                ("columns", key),
                f"`{key}` is not a file of a per-file mapping; {_hint(str(key), list(MAPPED_FILES))} (map every "
                "column under `complaints:` or `redress:`, or list them all flat under `columns:`)",
            )
        if not isinstance(value, dict | None):
            raise reader.error(("columns", key), "expected the file's columns, each `Its Header: reportkit_column`")
    sections = {f: (raw.get(f) or {}) for f in MAPPED_FILES} if per_file else {f: raw for f in MAPPED_FILES}
    checked: dict[str, dict[str, str | None]] = {}
    for file, section in sections.items():
        path = ("columns", file) if per_file else ("columns",)
        targets = _target_columns((file,) if per_file else MAPPED_FILES)
        seen: dict[str, str] = {}
        headers: dict[str, str | None] = {}
        for source, target in section.items():
            if target is not None and not isinstance(target, str):
                raise reader.error((*path, source), "expected one reportkit column name (or null to ignore it)")
            if target is not None and target not in targets:
                files = file if per_file else " or ".join(MAPPED_FILES)
                raise reader.error(
                    (*path, source), f"`{target}` is not a column of the {files} file; {_hint(target, targets)}"
                )
            if target is not None and target in seen:
                fix = (
                    ""
                    if per_file
                    else (
                        "; if the complaints and redress files name it differently, map each file on its own under "
                        "`complaints:` and `redress:`"
                    )
                )
                raise reader.error(
                    (*path, source),
                    f"`{source}` and `{seen[target]}` are both mapped to `{target}`: map one source column to each "
                    f"target (null ignores a column){fix}",
                )
            if target is not None:
                seen[target] = source
            if source.strip() in headers:  # headers are matched without outer spaces too
                raise reader.error(
                    (*path, source), f"`{source}` is another column's header once outer spaces are dropped; keep one"
                )
            headers[source.strip()] = target
        checked[file] = headers
    return checked


def _check_dates(reader: _Reader, raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise reader.error(("dates",), 'expected `{format: "%d/%m/%Y"}`')
    for key in raw:
        if key != "format":
            raise reader.error(("dates", key), f"`{key}` is not a key of dates; {_hint(key, ['format'])}")
    fmt = raw.get("format")
    if not isinstance(fmt, str) or not fmt.strip():
        raise reader.error(("dates", "format"), 'expected a strptime format such as "%d/%m/%Y"')
    probe = dt.date(2025, 12, 31)  # a day, month and year that cannot be confused with one another
    try:
        round_trip = dt.datetime.strptime(probe.strftime(fmt), fmt).date()
    except ValueError:
        round_trip = None
    if round_trip != probe:
        raise reader.error(
            ("dates", "format"),
            f"{fmt!r} cannot write and read back a date (31 December 2025 written in it is "
            f"{probe.strftime(fmt)!r}); it needs a day, a month and a year: %d, %m (or %b/%B) and %Y (or %y)",
        )
    return fmt


def _check_booleans(reader: _Reader, raw: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise reader.error(("booleans",), 'expected `{"true": [Y, Yes], "false": [N, No]}`')
    lists: dict[str, tuple[str, ...]] = {}
    for key, items in raw.items():
        if key not in (CANONICAL_TRUE, CANONICAL_FALSE):
            raise reader.error(("booleans", key), f"`{key}` is not a key of booleans; {_hint(key, ['true', 'false'])}")
        items = [items] if not isinstance(items, list) else items
        if any(isinstance(v, dict | list) for v in items):
            raise reader.error(("booleans", key), "expected a list of the export's values, e.g. [Y, Yes]")
        lists[key] = tuple("" if v is None else v.strip() for v in items)
    both = set(lists.get(CANONICAL_TRUE, ())) & set(lists.get(CANONICAL_FALSE, ()))
    if both:
        raise reader.error(
            ("booleans",), f"{', '.join(repr(v) for v in sorted(both))} is listed as both true and false"
        )
    return lists.get(CANONICAL_TRUE, ()), lists.get(CANONICAL_FALSE, ())


def code_hint(value: str, column: CodedColumn) -> str | None:
    """The code a value was probably meant to be: a code or label alike up to case and spaces, else the closest
    code or label by spelling; None when nothing is close."""
    key = _loose(value)
    by_key = {_loose(c): c for c in column.codes} | {_loose(label): code for code, label in column.labels.items()}
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def _loose(text: str) -> str:
    """A code or label compared without case, spaces, underscores or hyphens (`Home insurance` ~ `home_insurance`)."""
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def _check_values(reader: _Reader, raw: object) -> dict[str, dict[str, str | None]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise reader.error(("values",), "expected, per reportkit column, `its value: code` pairs")
    coded = {name: column for f in MAPPED_FILES for name, column in coded_columns(f).items()}
    checked: dict[str, dict[str, str | None]] = {}
    for name, pairs in raw.items():
        if name not in coded:
            booleans = {c for f in MAPPED_FILES for c in bool_columns(f)}
            why = (
                "a true/false column: list its values under `booleans:`"
                if name in booleans
                else f"not a coded column; {_hint(name, sorted(coded))}"
            )
            raise reader.error(("values", name), f"`{name}` is {why}")
        if pairs is None:
            continue
        if not isinstance(pairs, dict):
            raise reader.error(("values", name), "expected `the export's value: code` pairs")
        column = coded[name]
        blank = [value for value, code in pairs.items() if code is None]
        if blank:  # every value left to fill at once (init-mapping writes them blank), never one per run
            shown = ", ".join(f"`{v}`" for v in blank)
            raise reader.error(
                ("values", name),
                f"no code given for {len(blank)} value(s): {shown}; write the {name} code each stands for "
                '(`""` if it means empty)',
                reader.marks.get(("values", name, blank[0])),
            )
        for value, code in pairs.items():
            if code == "":
                continue  # declared: the value means an empty cell
            if not isinstance(code, str) or code not in column.codes:
                hint = code_hint(str(code), column) if isinstance(code, str) else None
                where = f"`reportkit codes {column.list_name}`" if column.list_name else ", ".join(column.codes)
                meant = f"did you mean `{hint}`?" if hint else f"the codes are {where}"
                raise reader.error(("values", name, value), f"`{code}` is not a {name} code; {meant}")
        stripped: dict[str, str] = {}
        for value in pairs:  # values are matched without outer spaces: "Pet" and "Pet " are one value
            if value.strip() in stripped and pairs[stripped[value.strip()]] != pairs[value]:
                raise reader.error(
                    ("values", name, value),
                    f"`{value}` and `{stripped[value.strip()]}` are the same value once outer spaces are dropped "
                    "(values are matched without them) but have different codes; keep one",
                )
            stripped[value.strip()] = value
        checked[name] = {value.strip(): code or None for value, code in pairs.items()}
    return checked


def parse_mapping(text: str, path: Path) -> dict:
    """The checked parts of a mapping file's text (see load_mapping)."""
    reader = _Reader(path, text)
    raw = reader.data
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise reader.error((), f"expected the keys {', '.join(TOP_LEVEL_KEYS)} (each optional)")
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            raise reader.error((key,), f"`{key}` is not a key of a mapping file; {_hint(key, list(TOP_LEVEL_KEYS))}")
    true_values, false_values = _check_booleans(reader, raw.get("booleans"))
    return {
        "columns": _check_columns(reader, raw.get("columns")),
        "date_format": _check_dates(reader, raw.get("dates")),
        "true_values": true_values,
        "false_values": false_values,
        "values": _check_values(reader, raw.get("values")),
    }


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file.

    Raises:
        InputError: the file does not exist, is no UTF-8 YAML, or holds an unknown key, column or code (exit 2).
        EnvironmentProblem: it exists but cannot be read (exit 4).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"mapping file not found: {path}") from None
    except OSError as exc:
        raise EnvironmentProblem.from_os_error(exc, "read the mapping file", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"mapping file {path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    parts = parse_mapping(text, path)
    return Mapping(path.name, path, text, hashlib.sha256(data).hexdigest(), len(data), **parts)


# --------------------------------------------------------------------------- applying a mapping

SOURCE_PREFIX = "_source:"
"""A text frame's column `_source:<column>` holds each row's value as the export had it, where the mapping
changed that column's values: findings and lineage show the user's value beside the code it became."""

RENAMED = "reportkit_renamed"
"""Key of `DataFrame.attrs`: the Renamed record of the file's header (what the mapping renamed and ignored)."""

SOURCE_HEADERS = "reportkit_source_headers"
"""Key of `DataFrame.attrs`: reportkit column -> the export's header it was read from (renamed columns only)."""

NOT_IN_FORMAT = "reportkit_dates_not_in_format"
"""Key of `DataFrame.attrs`: date column -> the distinct values that do not match the mapping's date format (kept
as written; validation names each row). Even a YYYY-MM-DD value is one of them in a CSV: the file said another form."""

MAPPED = "reportkit_mapping"
"""Key of `DataFrame.attrs` holding the Mapping a frame was read with (absent for a frame read without one)."""


@dataclass(frozen=True)
class Renamed:
    """A file's header after the mapping's `columns:`: the new names, and what was renamed or ignored."""

    names: list[str]
    ignored: list[int]
    """Positions of the columns mapped to null (dropped)."""
    sources: dict[str, str]
    """reportkit column -> the export's header, for every renamed column."""
    absent: tuple[str, ...] = ()
    """Headers the mapping names for this file's columns (or ignores) that the file does not have."""


def rename_headers(headers: list[str], mapping: Mapping, file: str, path: Path | str) -> Renamed:
    """The header as reportkit reads it: each export header the mapping names becomes its target (or is ignored).

    Raises:
        InputError: a mapped header's target is also a column of the file as it stands (two sources for one
            column: which one counts would be a guess).
    """
    section = mapping.headers(file)
    names, ignored, sources = [], [], {}
    for i, header in enumerate(headers):
        key = str(header).strip()
        if key in section and section[key] is None:
            ignored.append(i)
            names.append(header)
        elif key in section and section[key] != key:
            names.append(section[key])
            sources[section[key]] = key
        else:
            names.append(header)
    kept = [n.strip() for i, n in enumerate(names) if i not in ignored]
    for target, source in sources.items():
        if kept.count(target) > 1:
            raise InputError(
                f"{path}: the mapping {mapping.name} maps column `{source}` to `{target}`, and the file also has "
                f"a column `{target}`: two sources for one column; map one of them to null under `columns:`"
            )
    present = {str(h).strip() for h in headers}
    columns = load_schema(file).columns
    absent = tuple(h for h, t in section.items() if h not in present and (t is None or t in columns))
    # A header named in another case or spacing than the file has: read on, its column would take its default.
    # Not for a header the mapping ignores (null), nor when the file has the target column itself.
    loosely = {_loose(h): h for h in present}
    near = [
        (h, loosely[_loose(h)])
        for h in absent
        if _loose(h) in loosely and section[h] is not None and section[h] not in present
    ]
    if near:  # the file has the column in another case or spacing: reading on would use a default instead
        listed = "; ".join(f"`{h}` is not in the file, which has `{found}`" for h, found in near)
        raise InputError(
            f"{path}: the mapping {mapping.name} names a column the file has under another case or spacing: {listed}; "
            "write the header exactly as the file has it"
        )
    return Renamed(names, ignored, sources, absent)


def _recode(values: pd.Series, answer: dict) -> pd.Series:
    """A categorical column with each category replaced by `answer[category]` (kept where it has none; None for
    missing): decided once per distinct value, the rows keep their numbers."""
    categories = pd.Series(values.cat.categories, dtype=object)
    new = categories.map(lambda v: answer.get(v, v))
    mapped = pd.Categorical(new.where(new.notna(), None).tolist())
    codes = values.cat.codes.to_numpy()
    taken = mapped.codes[np.maximum(codes, 0)] if len(categories) else codes
    return pd.Series(
        pd.Categorical.from_codes(np.where(codes >= 0, taken, -1), categories=mapped.categories), index=values.index
    )


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_answers(categories: list[str], fmt: str, workbook: bool) -> dict[str, str]:
    """Each distinct date text written in `fmt`, as YYYY-MM-DD; a text that does not match is left out (it stays
    as written, and validation names it with the format). In a workbook a date cell already arrives as YYYY-MM-DD
    (reportkit.extract), so that form is kept there: a real date cell is no guess."""
    texts = pd.Series(categories, dtype=object)
    parsed = pd.to_datetime(texts, format=fmt, errors="coerce")
    iso = parsed.dt.strftime("%Y-%m-%d")
    answers = {t: d for t, d in zip(texts, iso, strict=True) if isinstance(d, str)}
    if workbook:
        answers |= {t: t for t in categories if ISO_DATE.match(t) and t not in answers}
    return answers


def bool_answers(mapping: Mapping) -> dict[str | None, str]:
    """The export's flag -> "true"/"false"; `""` in a list stands for an empty cell."""
    answers: dict[str | None, str] = {v: CANONICAL_TRUE for v in mapping.true_values}
    answers |= {v: CANONICAL_FALSE for v in mapping.false_values}
    if "" in answers:
        answers[None] = answers.pop("")
    return answers


def used_or_all(values: pd.Series) -> list[str]:
    """The categories some row of `values` holds."""
    codes = values.cat.codes.to_numpy()
    return [str(c) for c in values.cat.categories[np.unique(codes[codes >= 0])]]


def column_answers(mapping: Mapping, file: str, name: str, categories: list[str], workbook: bool) -> dict:
    """What the mapping makes of each distinct value of one column (values kept as they are are left out), and
    under the key None what it makes of an empty cell (only `""` listed under `booleans:` says so)."""
    if name in mapping.values:
        return dict(mapping.values[name])
    if name in bool_columns(file):
        return bool_answers(mapping)
    if name in date_columns(file) and mapping.date_format:
        return date_answers(categories, mapping.date_format, workbook)
    return {}


def apply_values(
    frame: pd.DataFrame,
    mapping: Mapping,
    file: str,
    workbook: bool,
    defaults: dict[str, str],
    exported: set[str] | None = None,
) -> pd.DataFrame:
    """`frame` (text, coded columns categorical, read without defaults) with the mapping's values, dates and
    booleans applied per distinct value, then each column's default for what is still empty. Where the mapping
    changed a column's values, its values as exported are kept in `_source:<column>` (SOURCE_PREFIX).

    Only the columns `exported` (the export's own, after renaming; default: every column of `frame`) are
    mapped: a column the export lacks already holds its documented default, and an answer for an empty cell
    (`""` under booleans) must not turn "absent" into a value nobody exported."""
    schema = load_schema(file)
    exported = set(frame.columns) if exported is None else exported
    for name in [c for c in schema.columns if c in frame.columns and c in exported]:
        values = frame[name]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue  # plain-text columns (ids, amounts) are never mapped
        categories = [str(c) for c in values.cat.categories]
        answers = column_answers(mapping, file, name, categories, workbook)
        empty = answers.pop(None, None)
        codes = values.cat.codes.to_numpy()
        used = set(values.cat.categories[np.unique(codes[codes >= 0])]) if answers else set()
        changes = any(answers.get(c, c) != c for c in used) or (empty is not None and bool(values.isna().any()))
        if name in date_columns(file) and mapping.date_format:
            misfits = sorted(c for c in used_or_all(values) if c not in answers)
            if misfits:
                frame.attrs.setdefault(NOT_IN_FORMAT, {})[name] = misfits
        if changes:
            frame[SOURCE_PREFIX + name] = values
            values = _recode(values, answers)
        fill = empty if empty is not None else defaults.get(name)
        if fill is not None and bool(values.isna().any()):
            values = values.cat.add_categories([fill]) if fill not in values.cat.categories else values
            values = values.fillna(fill)
            values = values.cat.set_categories(sorted(values.cat.categories))  # sorted, as reading makes them
        frame[name] = values.cat.remove_unused_categories() if changes else values
    return frame


def mapping_lines(frame: pd.DataFrame | None, label: str) -> list[str]:
    """What the mapping did to one file, in a line or two printed with the run's settings (nothing is silent):
    the columns renamed and ignored, the columns whose values it mapped, the date format and flags; and the
    headers it names that the file lacks (a mapping written for another export?)."""
    mapping = None if frame is None else frame.attrs.get(MAPPED)
    if mapping is None:
        return []
    renamed: Renamed | None = frame.attrs.get(RENAMED)
    mapped = [c[len(SOURCE_PREFIX) :] for c in frame.columns if str(c).startswith(SOURCE_PREFIX)]
    parts = [f"{len(renamed.sources) if renamed else 0} column(s) renamed"]
    if renamed and renamed.ignored:
        parts.append(f"{len(renamed.ignored)} ignored")
    parts.append(f"values mapped in {', '.join(mapped)}" if mapped else "no value changed")
    if mapping.date_format:
        parts.append(f"dates read as {mapping.date_format}")
    lines = [f"{label}: read with mapping {mapping.name} (sha256 {mapping.sha256[:12]}): " + "; ".join(parts)]
    if renamed and renamed.absent:
        names = ", ".join(f"`{h}`" for h in renamed.absent)
        lines.append(f"{label}: the mapping {mapping.name} names column(s) {names}, which the file does not have")
    return lines


EXPORTED_PREFIX = "exported_"
"""A lineage column `exported_<column>` holds the complaint's value as the export had it, beside the code."""


def with_exported_values(lineage: pd.DataFrame, complaints: pd.DataFrame, personal: frozenset[str]) -> pd.DataFrame:
    """`lineage` with, for every column the mapping changed, each complaint's value as exported (`exported_product`:
    `Home Insurance`) and, beside it, the code it became (`product`: `property`), so an auditor sees what became
    of the case system's values complaint by complaint.
    The lineage's index holds each row's label in `complaints` (reportkit.aggregate); `personal` columns (an
    adviser's date of birth) are never copied."""
    sources = [
        c for c in complaints.columns if str(c).startswith(SOURCE_PREFIX) and c[len(SOURCE_PREFIX) :] not in personal
    ]
    if not sources or not len(lineage):
        return lineage
    positions = complaints.index.get_indexer(lineage.index)
    extra: dict[str, pd.Categorical] = {}
    for source in sources:
        name = source[len(SOURCE_PREFIX) :]
        extra[EXPORTED_PREFIX + name] = pd.Categorical(complaints[source].take(positions).array)
        if name in complaints.columns and name not in lineage.columns:  # the code it became, beside it
            extra[name] = pd.Categorical(complaints[name].take(positions).astype("string").array)
    return lineage.assign(**extra)
