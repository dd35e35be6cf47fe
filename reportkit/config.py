"""The firm configuration (YAML): firms, groups and run options (docs/configuration.md).

The configuration decides figures (periods from the accounting reference date, business days from the nation,
which returns are built, blank versus 0 from the declared products), so it is read strictly: an unknown key, a
missing required key or a value of the wrong type is an InputError (exit 2) naming the file, the key path
(`firms[2].business_days`) and the line and column the YAML parser gives, never a traceback and never a silent
default.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from reportkit.calendar import NATIONS, ReferenceDate
from reportkit.errors import EnvironmentProblem, InputError
from reportkit.mi_settings import MiSettings, parse_mi_settings
from reportkit.money import DEFAULT_MONEY_CEILING, MAXIMUM_MONEY_CEILING
from reportkit.taxonomy import load_taxonomy

RETURN_CODES: tuple[str, ...] = ("annex1", "annex1ab", "annex1ad", "annex1c")
"""Returns a firm can owe under its permissions (Annex 1B follows from annex1/annex1ab by threshold)."""

CLAIMS_MANAGEMENT_RETURNS: tuple[str, ...] = ("annex1ab",)
"""A firm whose only return is Annex 1AB has permission to carry on only regulated claims management activities."""


def unreadable(exc: yaml.YAMLError, text: str) -> str:
    """What YAML's reader refused, in one line: a character YAML allows nowhere (a control character such as
    U+0007), with its line and column; other reader errors in their own words."""
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    if isinstance(position, int) and isinstance(character, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        return f"line {line}, column {column}: the character U+{character:04X} is not allowed in YAML; remove it"
    return _one_line(str(exc))


def claims_management_returns_only(returns: tuple[str, ...]) -> bool:
    """DISP 1.10.1R(2)(b), DISP 1.10A.1R(1A)(aa): the firm's permission is for claims management activities only
    (its only return is Annex 1AB)."""
    return tuple(returns) == CLAIMS_MANAGEMENT_RETURNS


CALENDAR_YEAR_RETURNS: tuple[str, ...] = ("annex1ad",)
"""The only return whose period exists without an ARD: Annex 1AD then covers the calendar year (DISP 1.10B.9D).
Annex 1, 1AB and 1C periods are derived from the ARD (DISP 1.10.4R, 1.10.4AR, 1.10.2AR)."""

RedressAttribution = Literal["closed_in_period", "paid_in_period"]
REDRESS_ATTRIBUTIONS: tuple[str, ...] = ("closed_in_period", "paid_in_period")
# \Z, not $ (which also matches before a final line break), and ASCII digits only: both name output folders.
FRN_PATTERN = re.compile(r"^[0-9]{6,7}\Z")
GROUP_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
"""A group id names output folders, so it is a safe file name: no path separators, no leading dot."""


@dataclass(frozen=True)
class Key:
    """One configuration key: whether it must be given, and what it means (used in messages and init-config)."""

    required: bool
    meaning: str
    codes: str = ""
    """The `reportkit codes` list that holds the key's allowed values, if any."""


FIRM_KEYS: dict[str, Key] = {
    "frn": Key(True, "the firm's FCA Firm Reference Number (6 or 7 digits, in quotes)"),
    "name": Key(True, "the firm's name, shown on the returns and the Annex 1B summary"),
    "accounting_reference_date": Key(
        True, 'the firm\'s accounting reference date, "MM-DD"; its reporting periods follow from it (DISP 1.10.4R)'
    ),
    "calendar_year": Key(
        False,
        "true only for a firm with no accounting reference date whose only return is annex1ad: Annex 1AD then "
        "covers calendar years (DISP 1.10B.9D); give it instead of accounting_reference_date",
    ),
    "business_days": Key(True, "whose bank holidays apply: ENG, WLS, SCT or NIR", "business_days"),
    "returns": Key(True, "the returns its permissions require: annex1, annex1ab, annex1ad, annex1c"),
    "trading_names": Key(False, "trading names and brands, shown on the Annex 1B summary"),
    "annual_reporter": Key(
        False, "true for a firm that reports once a year under DISP 1.10.1R(2) (credit-only, or claims management)"
    ),
    "products": Key(False, "the Part A products it does business in (decides blank versus 0)", "part_a_products"),
    "credit_activities": Key(
        False, "the Part B credit-related activities it does business in", "part_b_credit_activities"
    ),
    "payment_services": Key(False, "the payment and e-money services it provides (Annex 1AD)", "payment_services"),
    "cmc_claim_types": Key(False, "the types of claim a claims management firm handles (Annex 1AB)", "cmc_claim_types"),
    "publication_consent": Key(False, "the firm's answer to the FCA's question whether it may publish the data"),
    "mi": Key(False, "MI pack only (reportkit mi): service_levels, redress_plan and authority_limits"),
}
"""Every key a firm may have. `accounting_reference_date` is required unless `calendar_year: true` is given."""

GROUP_KEYS: dict[str, Key] = {
    "id": Key(True, "the group's name for --entity and its output folder (letters, digits, '.', '_', '-')"),
    "name": Key(False, "the group's name on the pages (default: the id)"),
    "reporting_firm": Key(True, "the member that submits the joint return"),
    "members": Key(True, "the FRNs of the firms the joint report covers"),
    "returns": Key(True, "the returns reported jointly (DISP 1.10.1CR, 1.10B.5D)"),
}

TOP_KEYS: dict[str, Key] = {
    "firms": Key(True, "the firms whose complaints are reported"),
    "groups": Key(False, "groups of firms that report jointly"),
    "redress_attribution": Key(False, "closed_in_period (default) or paid_in_period: which period redress is in"),
    "change_warning_ratio": Key(False, "warn when a product's complaints change by more than this factor"),
    "change_warning_minimum": Key(False, "...only when the larger period has at least this many complaints"),
    "money_ceiling": Key(False, "pounds: the largest amount one redress line may carry (default 100000000)"),
}

_KEYS_OF = {"firm": FIRM_KEYS, "group": GROUP_KEYS, "top level": TOP_KEYS}


@dataclass(frozen=True)
class Firm:
    frn: str
    name: str
    trading_names: tuple[str, ...] = ()
    accounting_reference_date: ReferenceDate | None = None
    """None only with `calendar_year: true` (then the firm's only return is Annex 1AD)."""
    annual_reporter: bool = False
    business_days: str = "ENG"
    returns: tuple[str, ...] = ("annex1",)
    products: tuple[str, ...] = ()
    credit_activities: tuple[str, ...] = ()
    payment_services: tuple[str, ...] = ()
    cmc_claim_types: tuple[str, ...] = ()
    publication_consent: bool = False
    calendar_year: bool = False
    mi: MiSettings = field(default_factory=MiSettings)
    """Service levels, redress plan and authority limits for the MI pack (never a return)."""

    @property
    def ard(self) -> ReferenceDate:
        """The ARD; 31 December for a `calendar_year` firm, whose Annex 1AD covers calendar years (DISP 1.10B.9D)."""
        return self.accounting_reference_date or ReferenceDate(12, 31)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    reporting_firm: str
    members: tuple[str, ...]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    firms: dict[str, Firm]
    groups: dict[str, Group] = field(default_factory=dict)
    redress_attribution: RedressAttribution = "closed_in_period"
    change_warning_ratio: float = 2.0
    """Warn when a product's complaints change by more than this factor from the previous period."""
    change_warning_minimum: int = 20
    """...but only when the larger of the two periods has at least this many complaints."""
    money_ceiling: int = DEFAULT_MONEY_CEILING
    """Pounds: the largest amount one redress line may carry (an error above it)."""
    source: Path | None = None
    sha256: str | None = None
    """The sha256 of the very bytes this configuration was parsed from (load_config), for the run id and manifest."""
    size: int | None = None
    """How many bytes were parsed (load_config)."""

    def firm(self, frn: str) -> Firm:
        try:
            return self.firms[frn]
        except KeyError:
            raise InputError(f"FRN {frn} is not in the configuration {self.source}") from None

    def joint_groups(self, frn: str, return_code: str) -> list[Group]:
        """The groups that report `return_code` jointly for the firm (at most one: load_config refuses more)."""
        return [g for g in self.groups.values() if frn in g.members and return_code in g.returns]

    def entity_firms(self, entity: str) -> list[Firm]:
        """The firms an entity covers: one firm (entity = FRN) or a group's members."""
        if entity in self.groups:
            return [self.firm(frn) for frn in self.groups[entity].members]
        if entity in self.firms:
            return [self.firms[entity]]
        known = ", ".join(sorted([*self.firms, *self.groups]))
        raise InputError(f"entity {entity!r} is neither a firm FRN nor a group id in {self.source} (known: {known})")


# --------------------------------------------------------------------------- reading YAML with positions

KeyPath = tuple[str | int, ...]


def key_path(path: KeyPath) -> str:
    """`("firms", 2, "business_days")` -> `firms[2].business_days`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it, cut short so a huge value never floods the message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


MAX_VALUES = 100_000
"""A configuration has a few hundred values; an alias that repeats an alias (an 'alias bomb') can make
millions, so reading stops beyond this many."""
MAX_DEPTH = 20
"""Nesting deeper than this is no configuration (and a recursive alias would nest for ever)."""


_BOOL_TAG = "tag:yaml.org,2002:bool"

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C (libyaml) where PyYAML was built with it: the same nodes, values and line and
column marks, ten times quicker on a group of a few hundred firms; the pure-Python one elsewhere."""


class _Document:
    """A configuration file read into plain Python values, with the line and column of every key and value."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.key_marks: dict[KeyPath, yaml.Mark] = {}
        self.value_marks: dict[KeyPath, yaml.Mark] = {}
        self.scalar_text: dict[KeyPath, str] = {}
        """Each scalar as written, so a message shows `012345`, not the number YAML made of it."""
        self._count = 0
        try:
            loader = YAML_LOADER(text)
        except yaml.YAMLError as exc:  # a character YAML refuses anywhere (a control character): read no further
            raise InputError(f"configuration {self.path}: cannot be read as YAML: {unreadable(exc, text)}") from None
        try:
            try:
                node = loader.get_single_node()
            except yaml.YAMLError:
                # A file that is no YAML is told in the pure-Python parser's words, which say what it expected
                # and what it found (libyaml's are terser); the two agree on where.
                raise self._syntax_error(text) from None
            self._loader = loader
            self.data = None if node is None else self._value(node, ())
        finally:
            loader.dispose()

    def _syntax_error(self, text: str) -> InputError:
        try:
            loader = yaml.SafeLoader(text)
        except yaml.YAMLError as exc:
            return InputError(f"configuration {self.path}: cannot be read as YAML: {unreadable(exc, text)}")
        try:
            loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            return self._yaml_error(exc)
        except yaml.YAMLError as exc:
            return InputError(f"configuration {self.path}: cannot be read as YAML: {_one_line(str(exc))}")
        finally:
            loader.dispose()
        return InputError(f"configuration {self.path}: cannot be read as YAML")

    def _yaml_error(self, exc: yaml.MarkedYAMLError) -> InputError:
        mark = exc.problem_mark or exc.context_mark
        problem = "; ".join(p for p in (exc.context, exc.problem) if p)
        return InputError(f"{self._where(mark)}cannot be read as YAML: {_one_line(problem)}")

    def _value(self, node: yaml.Node, path: KeyPath) -> Any:
        self.value_marks[path] = node.start_mark
        self._count += 1
        if self._count > MAX_VALUES or len(path) > MAX_DEPTH:
            too = f"more than {MAX_VALUES:,} values" if self._count > MAX_VALUES else f"nesting deeper than {MAX_DEPTH}"
            raise InputError(
                f"{self._where(node.start_mark)}the configuration has {too}, which no configuration needs (YAML "
                "aliases that repeat each other?); write the values out"
            )
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else _show(key_node.value)
                # A key is a name: the text as written, never the number or boolean YAML made of it (a handler
                # id 007 stays "007", not "7").
                key = key if isinstance(key, str) else str(key_node.value)
                if key in mapping:
                    raise self.error(
                        (*path, key),
                        f"the key appears twice ({_positions(self.key_marks[(*path, key)], key_node.start_mark)}); "
                        "keep one",
                        at_key=key_node.start_mark,
                    )
                self.key_marks[(*path, key)] = key_node.start_mark
                mapping[key] = self._value(value_node, (*path, key))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, (*path, index)) for index, item in enumerate(node.value)]
        self.scalar_text[path] = node.value
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        # YAML 1.2 booleans: only true/false. PyYAML follows YAML 1.1, where yes/no/on/off are booleans too; a
        # user's `yes` stays text here and is refused where true/false is expected, rather than guessed.
        if node.tag == _BOOL_TAG and node.value.lower() not in ("true", "false"):
            return node.value
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:  # e.g. a timestamp that is no date: 2025-02-30
            raise self._yaml_error(exc) from None
        except ValueError:
            return node.value

    def _where(self, mark: yaml.Mark | None) -> str:
        if mark is None:
            return f"configuration {self.path}: "
        return f"configuration {self.path}, line {mark.line + 1}, column {mark.column + 1}: "

    def error(self, path: KeyPath, message: str, at_key: yaml.Mark | bool = False) -> InputError:
        """An InputError naming the file, the line and column, and the key path: `firms[2].business_days: ...`."""
        if not isinstance(at_key, bool):  # a mark (yaml.Mark, or libyaml's own Mark type)
            mark: yaml.Mark | None = at_key
        elif at_key:
            mark = self.key_marks.get(path) or self.value_marks.get(path)
        else:
            mark = self.value_marks.get(path) or self.key_marks.get(path)
        where = key_path(path)
        return InputError(f"{self._where(mark)}{where + ': ' if where else ''}{message}")


def _positions(first: yaml.Mark, second: yaml.Mark) -> str:
    if first.line == second.line:
        return f"line {first.line + 1}, columns {first.column + 1} and {second.column + 1}"
    return f"lines {first.line + 1} and {second.line + 1}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- checking keys and values


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """The known key or code closest to `word`: the same up to case and spaces or dashes, or a near spelling."""
    known = list(known)

    def norm(text: str) -> str:
        return re.sub(r"[\s\-]+", "_", text.strip().lower())

    for candidate in known:
        if norm(candidate) == norm(word):
            return candidate
    close = difflib.get_close_matches(norm(word), known, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key_hint(key: str, kind: str) -> str:
    """Did you mean a key of this kind; else, is it a key of another level (a firm's key under a group); else
    the keys there are."""
    known = _KEYS_OF[kind]
    suggestion = did_you_mean(key, known)
    if suggestion:
        return f"did you mean `{suggestion}`?"
    for other, keys in _KEYS_OF.items():
        if other != kind and key in keys:
            return f"`{key}` is a key of {'the top level' if other == 'top level' else 'a ' + other}, not of " + (
                "the top level" if kind == "top level" else f"a {kind}"
            )
    return f"the keys {'at the top level' if kind == 'top level' else 'of a ' + kind} are {', '.join(known)}"


def _check_keys(doc: _Document, raw: dict, path: KeyPath, kind: str) -> None:
    """Refuse unknown keys (with a did-you-mean), then missing required keys."""
    known = _KEYS_OF[kind]
    for key in raw:
        if key in known:
            continue
        raise doc.error((*path, key), f"unknown key; {_unknown_key_hint(key, kind)}", at_key=True)
    missing = [
        f"`{key}`"
        for key, spec in known.items()
        if spec.required and key not in raw and not (kind == "firm" and key == "accounting_reference_date")
    ]
    if len(missing) == 1:
        key = missing[0].strip("`")
        raise doc.error(path, f"the required key {missing[0]} is missing: {known[key].meaning}")
    if missing:
        raise doc.error(
            path,
            f"the required keys {', '.join(missing)} are missing; add them (`reportkit init-config` writes a "
            "commented example)",
        )


def _text(doc: _Document, raw: dict, path: KeyPath, key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise doc.error((*path, key), f"must be text, got {_got(value)}; put it in quotes")
    if not value.strip():
        raise doc.error((*path, key), "must not be empty")
    return value.strip()


def _got(value: Any) -> str:
    """What the user wrote, said with its YAML type: `the text 'abc'`, `the number 2.5`, `true`, `nothing (null)`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {_show(value)}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    if isinstance(value, list):
        return f"a list {_show(value)}"
    if isinstance(value, dict):
        return f"a mapping {_show(value)}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return f"a {type(value).__name__} {_show(value)}"


def _frn_value(doc: _Document, path: KeyPath, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        written = doc.scalar_text.get(path, str(value))
        raise doc.error(
            path,
            f'the FRN {written} is written as a number; write it in quotes ("{written}") so that YAML keeps it '
            "as text, leading zeros included",
        )
    if not isinstance(value, str):
        raise doc.error(path, f"an FRN must be text of 6 or 7 digits in quotes, got {_got(value)}")
    if not FRN_PATTERN.match(value.strip()):
        raise doc.error(path, f"frn {_show(value)} is not 6 or 7 digits")
    return value.strip()


def _boolean(doc: _Document, raw: dict, path: KeyPath, key: str, default: bool) -> bool:
    if key not in raw:
        return default
    value = raw[key]
    if not isinstance(value, bool):
        raise doc.error((*path, key), f"must be true or false, got {_got(value)}")
    return value


def _annual_reporter(doc: _Document, raw: dict, path: KeyPath, returns: tuple[str, ...]) -> bool:
    """Whether the firm reports once a year (DISP 1.10.1R(2)). A claims-management-only firm always does
    (DISP 1.10.1R(2)(b)): left out, the key is true for it; given as false, it is refused rather than let a
    half-yearly period stand for the annual one."""
    annual_by_rule = claims_management_returns_only(returns)
    annual = _boolean(doc, raw, path, "annual_reporter", annual_by_rule)
    if annual_by_rule and not annual:
        raise doc.error(
            (*path, "annual_reporter"),
            "a firm whose only return is annex1ab has permission for claims management only, so it reports once "
            "a year (DISP 1.10.1R(2)(b)): set annual_reporter: true or leave it out",
        )
    return annual


def _list(doc: _Document, raw: dict, path: KeyPath, key: str) -> list:
    value = raw[key]
    if not isinstance(value, list):
        example = f"[{value}]" if isinstance(value, str) and value.strip() else "[]"
        raise doc.error((*path, key), f"must be a list such as {example}, got {_got(value)}; write [] for none")
    return value


def _codes(
    doc: _Document,
    raw: dict,
    path: KeyPath,
    key: str,
    allowed: Iterable[str],
    codes_list: str = "",
    required: bool = False,
) -> tuple[str, ...]:
    """A list of codes from one code list: each known, none twice; `required` lists need at least one."""
    if key not in raw:
        return ()
    allowed = list(allowed)
    items = _list(doc, raw, path, key)
    if required and not items:
        raise doc.error((*path, key), f"must list at least one of {', '.join(allowed)}")
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = (*path, key, index)
        if not isinstance(item, str):
            raise doc.error(where, f"must be a code (text), got {_got(item)}")
        if item not in allowed:
            suggestion = did_you_mean(item, allowed)
            hint = f"did you mean `{suggestion}`? " if suggestion else ""
            listed = f"`reportkit codes {codes_list}` lists them" if codes_list else ", ".join(allowed)
            raise doc.error(where, f"{key} has unknown codes [{item!r}]; {hint}allowed: {listed}")
        if item in seen:
            raise doc.error(where, f"{item} is listed twice")
        seen.add(item)
    return tuple(items)


def _reference_date(doc: _Document, raw: dict, path: KeyPath) -> ReferenceDate | None:
    """The firm's ARD, or None for an explicit `calendar_year: true` firm that owes only Annex 1AD."""
    calendar_year = _boolean(doc, raw, path, "calendar_year", False)
    has_ard = "accounting_reference_date" in raw
    if calendar_year and has_ard:
        raise doc.error(
            (*path, "calendar_year"),
            "give either accounting_reference_date or calendar_year: true, not both (calendar_year: true is for "
            "a firm that has no accounting reference date)",
        )
    if calendar_year:
        needing_ard = [code for code in raw.get("returns") or [] if code not in CALENDAR_YEAR_RETURNS]
        if needing_ard:
            raise doc.error(
                (*path, "calendar_year"),
                f"true (no accounting reference date) is only for a firm whose only return is "
                f"annex1ad (DISP 1.10B.9D), but its returns include {', '.join(map(str, needing_ard))}, whose "
                "periods follow from the accounting reference date (DISP 1.10.4R): give accounting_reference_date",
            )
        return None
    if not has_ard:
        raise doc.error(
            path,
            "the required key `accounting_reference_date` is missing: the firm's accounting reference date, "
            '"MM-DD" (a firm with no accounting reference date whose only return is annex1ad writes '
            "calendar_year: true instead)",
        )
    value = raw["accounting_reference_date"]
    where = (*path, "accounting_reference_date")
    if not isinstance(value, str):
        raise doc.error(
            where,
            f'must be month and day "MM-DD" in quotes (e.g. "12-31"), got {_got(value)}',
        )
    try:
        return ReferenceDate.parse(value)
    except ValueError as exc:
        raise doc.error(where, str(exc)) from None


def _parse_firm(doc: _Document, raw: Any, index: int) -> Firm:
    path: KeyPath = ("firms", index)
    if not isinstance(raw, dict):
        raise doc.error(path, f"each firm must be a mapping of keys (frn: ..., name: ...), got {_got(raw)}")
    _check_keys(doc, raw, path, "firm")
    frn = _frn_value(doc, (*path, "frn"), raw["frn"])
    taxonomy = load_taxonomy()
    returns = _codes(doc, raw, path, "returns", RETURN_CODES, required=True)
    ard = _reference_date(doc, raw, path)
    nation = raw["business_days"]
    if not isinstance(nation, str) or nation not in NATIONS:
        suggestion = did_you_mean(nation, NATIONS) if isinstance(nation, str) else None
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        raise doc.error(
            (*path, "business_days"), f"business_days {_show(nation)} must be one of {', '.join(NATIONS)}{hint}"
        )
    trading = tuple(_list(doc, raw, path, "trading_names")) if "trading_names" in raw else ()
    for position, name in enumerate(trading):
        if not isinstance(name, str) or not name.strip():
            raise doc.error((*path, "trading_names", position), f"must be text, got {_got(name)}")

    def codes(key: str) -> tuple[str, ...]:
        listed = FIRM_KEYS[key].codes
        return _codes(doc, raw, path, key, taxonomy.codes(listed), listed)

    return Firm(
        frn=frn,
        name=_text(doc, raw, path, "name"),
        trading_names=tuple(t.strip() for t in trading),
        accounting_reference_date=ard,
        calendar_year=ard is None,
        annual_reporter=_annual_reporter(doc, raw, path, returns),
        business_days=nation,
        returns=returns,
        products=codes("products"),
        credit_activities=codes("credit_activities"),
        payment_services=codes("payment_services"),
        cmc_claim_types=codes("cmc_claim_types"),
        publication_consent=_boolean(doc, raw, path, "publication_consent", False),
        mi=parse_mi_settings(raw["mi"], (*path, "mi"), doc.error, _got) if "mi" in raw else MiSettings(),
    )


def _parse_group(doc: _Document, raw: Any, firms: dict[str, Firm], index: int) -> Group:
    path: KeyPath = ("groups", index)
    if not isinstance(raw, dict):
        raise doc.error(path, f"each group must be a mapping of keys (id: ..., members: ...), got {_got(raw)}")
    _check_keys(doc, raw, path, "group")
    gid = raw["id"]
    if not isinstance(gid, str) or not GROUP_ID_PATTERN.match(gid):
        raise doc.error(
            (*path, "id"),
            f"group id {_show(gid)} must be text of letters, digits, '.', '_' and '-', starting with a letter or "
            "digit, at most 64 characters (it names the output folder)",
        )
    if gid in firms:
        raise doc.error((*path, "id"), f"group id {gid} is also a firm's FRN; give the group another id")
    members_raw = _list(doc, raw, path, "members")
    if not members_raw:
        raise doc.error((*path, "members"), "must list the FRNs of the group's firms")
    members: list[str] = []
    for position, item in enumerate(members_raw):
        frn = _frn_value(doc, (*path, "members", position), item)
        if frn not in firms:
            raise doc.error(
                (*path, "members", position),
                f"{frn} is not a firm in the configuration; add it to firms or remove it from members",
            )
        if frn in members:
            raise doc.error((*path, "members", position), f"{frn} is listed twice")
        members.append(frn)
    reporting = _frn_value(doc, (*path, "reporting_firm"), raw["reporting_firm"])
    if reporting not in members:
        raise doc.error((*path, "reporting_firm"), f"reporting_firm {reporting} is not one of its members {members}")
    name = _text(doc, raw, path, "name") if "name" in raw else gid
    return Group(
        id=gid,
        name=name,
        reporting_firm=reporting,
        members=tuple(members),
        returns=_codes(doc, raw, path, "returns", RETURN_CODES, required=True),
    )


def joint_report_clash(groups: dict[str, Group]) -> tuple[str, str, str, str] | None:
    """A firm belongs to at most one group that reports a given return jointly (DISP 1.10.1CR: a joint report
    covers the firm's complaints for that return), else its complaints would be reported twice.

    Returns:
        None, or the first clash found: (earlier group id, later group id, FRN, return code).
    """
    seen: dict[tuple[str, str], str] = {}
    for group in groups.values():  # a handful of groups and members: configuration, not data
        for frn in group.members:
            for code in group.returns:
                earlier = seen.setdefault((frn, code), group.id)
                if earlier != group.id:
                    return earlier, group.id, frn, code
    return None


def _joint_report_message(clash: tuple[str, str, str, str]) -> str:
    earlier, later, frn, code = clash
    return (
        f"groups {earlier} and {later} both report {code} jointly for firm {frn}, so its complaints would be "
        f"reported twice; remove {code} from the returns of one group or firm {frn} from its members"
    )


def _number(doc: _Document, raw: dict, key: str, default: float, minimum: float, whole: bool) -> Any:
    if key not in raw:
        return default
    value = raw[key]
    is_number = isinstance(value, int) or (isinstance(value, float) and not whole and math.isfinite(value))
    if isinstance(value, bool) or not is_number or value < minimum:
        what = "a whole number" if whole else "a number"
        raise doc.error((key,), f"must be {what} of at least {minimum:g} (e.g. {default!r}), got {_got(value)}")
    return value


def _money_ceiling(doc: _Document, raw: dict) -> int:
    """Whole pounds from 1 to MAXIMUM_MONEY_CEILING, so that every line stays exact (reportkit/money.py)."""
    value = int(_number(doc, raw, "money_ceiling", DEFAULT_MONEY_CEILING, 1, whole=True))
    if value > MAXIMUM_MONEY_CEILING:
        raise doc.error(
            ("money_ceiling",), f"must be at most {MAXIMUM_MONEY_CEILING} pounds (amounts stay exact), got {value}"
        )
    return value


def parse_config(text: str, source: Path) -> Config:
    """Check a configuration's text; `source` names the file in messages. Raises InputError naming the problem."""
    doc = _Document(source, text)
    raw = doc.data
    if raw is None:
        raise InputError(
            f"configuration {source} is empty: it needs a `firms:` list (`reportkit init-config` "
            "writes a starting configuration)"
        )
    if not isinstance(raw, dict):
        raise doc.error((), f"expected a mapping with a non-empty 'firms' list, got {_got(raw)}")
    _check_keys(doc, raw, (), "top level")
    if not isinstance(raw["firms"], list) or not raw["firms"]:
        raise doc.error(("firms",), f"expected a non-empty 'firms' list, got {_got(raw['firms'])}")
    firms: dict[str, Firm] = {}
    first_index: dict[str, int] = {}
    for index, item in enumerate(raw["firms"]):
        firm = _parse_firm(doc, item, index)
        if firm.frn in firms:
            raise doc.error(
                ("firms", index, "frn"),
                f"firm {firm.frn} is listed twice (firms[{first_index[firm.frn]}]"
                f" and firms[{index}]); list each firm once",
            )
        firms[firm.frn] = firm
        first_index[firm.frn] = index
    groups: dict[str, Group] = {}
    group_items = raw.get("groups")
    if group_items is not None and not isinstance(group_items, list):
        raise doc.error(("groups",), f"must be a list of groups, got {_got(group_items)}")
    for index, item in enumerate(group_items or []):
        group = _parse_group(doc, item, firms, index)
        if group.id in groups:
            raise doc.error(
                ("groups", index, "id"),
                f"the id {group.id} is used by groups[{list(groups).index(group.id)}] and groups[{index}]; a group "
                "id names one group, so give each group its own id",
            )
        groups[group.id] = group
    clash = joint_report_clash(groups)
    if clash:
        raise doc.error(("groups", list(groups).index(clash[1]), "returns"), _joint_report_message(clash))
    attribution = raw.get("redress_attribution", "closed_in_period")
    if attribution not in REDRESS_ATTRIBUTIONS:
        raise doc.error(("redress_attribution",), f"{_show(attribution)} must be closed_in_period or paid_in_period")
    return Config(
        firms=firms,
        groups=groups,
        redress_attribution=attribution,
        change_warning_ratio=float(_number(doc, raw, "change_warning_ratio", 2.0, 1, whole=False)),
        change_warning_minimum=int(_number(doc, raw, "change_warning_minimum", 20, 0, whole=True)),
        money_ceiling=_money_ceiling(doc, raw),
        source=source,
    )


def load_config(path: str | Path) -> Config:
    """Read and check a configuration file; raises InputError naming the file, key path, line and column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"configuration file not found: {path}") from None
    except OSError as exc:  # it exists but cannot be read (a folder, no permission): the machine, exit 4
        raise EnvironmentProblem.from_os_error(exc, "read the configuration file", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"configuration file {path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    # Hashed from the bytes just parsed, never re-read: a file replaced during a run is recorded as it was read.
    return replace(parse_config(text, path), sha256=hashlib.sha256(data).hexdigest(), size=len(data))


# --------------------------------------------------------------------------- a starting configuration


def _quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar, whatever it holds (quotes, colons, `#`, accents)."""
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _flow(items: Iterable[str], quote: bool = False) -> str:
    return "[" + ", ".join(_quoted(i) if quote else i for i in items) + "]"


def _default(name: str) -> Any:
    """A run option's default, from the Config dataclass itself so the starting file never disagrees with it."""
    return Config.__dataclass_fields__[name].default


def starting_config(
    firms: list[tuple[str, str]],
    group: str | None = None,
    group_name: str | None = None,
    accounting_reference_date: str | None = "12-31",
    business_days: str = "ENG",
    returns: Iterable[str] = ("annex1",),
) -> str:
    """A commented starting configuration (YAML) for `reportkit init-config`: one block per firm with every required
    key set and every optional key commented out with its default, an optional group, and the run options.

    Args:
        firms: (FRN, name) of each firm; with `group`, the first is the group's reporting firm.
        group: a group id: the firms then report `returns` jointly (DISP 1.10.1CR).
        group_name: the group's name on the pages (default: the id).
        accounting_reference_date: "MM-DD" for every firm, or None for `calendar_year: true` (only with annex1ad).
        business_days: the bank-holiday nation of every firm.
        returns: the returns every firm owes (and, with `group`, those reported jointly).

    Raises:
        InputError: naming the option that is wrong; the text returned always loads with load_config.
    """
    returns = list(returns)
    for code in returns:
        if code not in RETURN_CODES:
            suggestion = did_you_mean(code, RETURN_CODES)
            hint = f"did you mean `{suggestion}`? " if suggestion else ""
            raise InputError(f"--returns: {code!r} is not a return code; {hint}allowed: {', '.join(RETURN_CODES)}")
    if not returns:
        raise InputError(f"--returns: give at least one of {', '.join(RETURN_CODES)}")
    if business_days not in NATIONS:
        raise InputError(f"--business-days: {business_days!r} must be one of {', '.join(NATIONS)}")
    if accounting_reference_date is None:
        if set(returns) - set(CALENDAR_YEAR_RETURNS):
            raise InputError(
                "--calendar-year is only for a firm with no accounting reference date whose only return is annex1ad "
                "(DISP 1.10B.9D); give --ard MM-DD for annex1, annex1ab and annex1c"
            )
    else:
        try:
            accounting_reference_date = str(ReferenceDate.parse(accounting_reference_date))
        except ValueError as exc:
            raise InputError(f"--ard: {exc}") from None
    if not firms:
        raise InputError("give the firm with --frn and --name")
    frns = [frn for frn, _ in firms]
    for frn, name in firms:
        if not FRN_PATTERN.match(frn):
            raise InputError(f"--frn {frn!r} is not 6 or 7 digits")
        if not name.strip():
            raise InputError(f"--name for firm {frn} is empty; give the firm's name")
    if len(set(frns)) < len(frns):
        raise InputError(f"--frn: each firm once, got {', '.join(frns)}")
    if group is not None:
        if not GROUP_ID_PATTERN.match(group):
            raise InputError(
                f"--group {group!r}: a group id is letters, digits, '.', '_' and '-', starting with a letter or digit "
                "(it names the output folder)"
            )
        if group in frns:
            raise InputError(f"--group {group}: a group id must not be one of its firms' FRNs")
        if len(firms) < 2:
            raise InputError(
                f"--group {group}: a joint report covers two or more firms; give --frn and --name for each"
            )

    lines = [
        "# reportkit configuration, written by `reportkit init-config`. Check every value before a run: the",
        "# accounting reference date, the bank-holiday nation and the returns decide the reporting periods, the",
        "# business-day time bands and which returns are built. Every key is described in docs/configuration.md;",
        "# a key reportkit does not know is an error. `reportkit codes LIST` prints the allowed codes of a list.",
        "",
        "firms:",
    ]
    for frn, name in firms:
        lines += [
            f'  - frn: "{frn}"  # the firm\'s FCA Firm Reference Number: 6 or 7 digits, in quotes',
            "    # Required: the firm's name, shown on the returns and the Annex 1B summary.",
            f"    name: {_quoted(name.strip())}",
            '    # Required: the accounting reference date, "MM-DD"; the reporting periods follow from it',
            "    # (DISP 1.10.4R). A firm with no accounting reference date whose only return is annex1ad writes",
            "    # `calendar_year: true` instead (its Annex 1AD then covers calendar years, DISP 1.10B.9D).",
            f'    accounting_reference_date: "{accounting_reference_date}"'
            if accounting_reference_date
            else "    calendar_year: true",
            "    # Required: the part of the UK whose bank holidays apply to the firm's complaints: ENG, WLS, SCT or",
            "    # NIR (`reportkit codes business_days`). Used for the business-day time bands.",
            f"    business_days: {business_days}",
            "    # Required: the returns the firm's permissions require: annex1, annex1ab, annex1ad, annex1c. Annex 1B",
            "    # (the publication summary) follows from the complaint count and is not listed.",
            f"    returns: {_flow(returns)}",
            "    # Optional keys, shown with their defaults: uncomment and fill in those that apply.",
            "    # Trading names and brands, shown on the Annex 1B summary.",
            "    # trading_names: []",
            "    # true only for a firm that reports once a year under DISP 1.10.1R(2): credit-related activities",
            "    # only with revenue from them of at most 5 million pounds a year, or claims management only (a firm",
            "    # whose only return is annex1ab: true when left out, and false is refused).",
            f"    # annual_reporter: {'true' if claims_management_returns_only(tuple(returns)) else 'false'}",
            "    # What the firm does business in. A product or service listed here with no complaints is reported",
            "    # as 0; one not listed is left blank, as the FCA asks.",
        ]
        for key, what in (
            ("products", "Part A products it does business in"),
            ("credit_activities", "Part B credit-related activities it carries on"),
            ("payment_services", "payment and e-money services it provides (Annex 1AD)"),
            ("cmc_claim_types", "types of claim it handles as a claims management firm (Annex 1AB)"),
        ):
            lines += [f"    # The {what}: `reportkit codes {FIRM_KEYS[key].codes}`.", f"    # {key}: []"]
        lines += [
            "    # The firm's answer to the FCA's question whether it may publish the firm's complaints data.",
            "    # publication_consent: false",
            "    # MI pack only (reportkit mi): service levels, a redress plan and handler authority limits, e.g.",
            "    # {service_levels: {default: {weeks: 4}}, authority_limits: {default: 500}} (docs/configuration.md).",
            "    # mi: {}",
        ]
    if group is not None:
        lines += [
            "",
            "# Firms that submit one joint report (DISP 1.10.1CR). Members share their accounting reference date and",
            "# their reporting frequency (DISP 1.10.1DG). Run it with --entity and the group's id.",
            "groups:",
            f"  - id: {group}  # the group's name for --entity and its output folder",
            "    # Optional: the group's name on the pages (default: the id).",
            f"    name: {_quoted(group_name.strip())}" if group_name and group_name.strip() else f"    # name: {group}",
            "    # Required: the member that submits the joint return; the others file nil returns for it.",
            f'    reporting_firm: "{frns[0]}"',
            "    # Required: the FRNs of the firms the joint report covers, each listed under firms.",
            f"    members: {_flow(frns, quote=True)}",
            "    # Required: the returns reported jointly; a member's other returns are built for it alone.",
            f"    returns: {_flow(returns)}",
        ]
    lines += [
        "",
        "# Run options, shown with their defaults (docs/configuration.md explains each).",
        "# Which period a redress payment is reported in: closed_in_period or paid_in_period.",
        f"# redress_attribution: {_default('redress_attribution')}",
        "# Warn when a product's complaints opened change by more than this factor from the previous period...",
        f"# change_warning_ratio: {_default('change_warning_ratio')!r}",
        "# ...but only when the larger of the two periods has at least this many complaints about the product.",
        f"# change_warning_minimum: {_default('change_warning_minimum')!r}",
        "# The largest amount in pounds one redress line may carry; a larger one is an error (a typing mistake).",
        f"# money_ceiling: {_default('money_ceiling')!r}",
    ]
    text = "\n".join(lines) + "\n"
    parse_config(text, Path("<init-config>"))  # what is written always loads
    return text
