"""A firm's MI settings (the optional `mi:` key of a firm, docs/configuration.md "MI settings").

Service levels, a redress plan and handler authority limits are the firm's own management targets: they feed the
MI pack (`reportkit mi`) only, never a return. They are read as strictly as the rest of the configuration: an
unknown key is an error with a did-you-mean, a value of the wrong type names the key path. The configuration
reader passes in how it words an error (its file, line and column), so this module needs nothing of it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportkit.taxonomy import load_taxonomy

KeyPath = tuple[str | int, ...]
ErrorAt = Callable[[KeyPath, str], Exception]
"""Makes the error for a key path and a message (the configuration reader's, with file, line and column)."""
Describe = Callable[[Any], str]
"""Says what the user wrote with its YAML type ("the text 'abc'")."""

CREDIT_GROUP = "credit_related"
"""The MI product group of a complaint about a Part B credit-related activity (it has no Part A group)."""
CMC_GROUP = "claims_management"
"""The MI product group of a claims management complaint (Annex 1AB)."""
DEFAULT = "default"
"""The service level of every product group that has none of its own."""
TOTAL = "total"
"""The redress plan for all product groups together."""


def mi_groups() -> list[str]:
    """The product groups MI figures and settings are keyed by: Annex 1 Part A's five, then credit-related
    activities and claims management, so that every complaint has one."""
    return [*load_taxonomy().codes("part_a_product_groups"), CREDIT_GROUP, CMC_GROUP]


@dataclass(frozen=True)
class ServiceLevel:
    """The firm's own time to close a complaint: a number of business days or of weeks after receipt."""

    business_days: int | None = None
    weeks: int | None = None

    def describe(self) -> str:
        return f"{self.business_days} business days" if self.business_days is not None else f"{self.weeks} weeks"


@dataclass(frozen=True)
class MiSettings:
    """A firm's MI settings; every part is optional (empty: that MI table says no target is configured)."""

    service_levels: dict[str, ServiceLevel] = field(default_factory=dict)
    """MI product group (or `default`) -> the firm's service level."""
    redress_plan: dict[str, float] = field(default_factory=dict)
    """MI product group (or `total`) -> pounds of redress planned per calendar month."""
    authority_default: float | None = None
    """Pounds a handler may award on one complaint without sign-off, unless `authority_handlers` says otherwise."""
    authority_handlers: dict[str, float] = field(default_factory=dict)
    """Handler id -> that handler's authority limit in pounds."""

    def service_level(self, group: str) -> ServiceLevel | None:
        return self.service_levels.get(group, self.service_levels.get(DEFAULT))

    def authority_limit(self, handler: str) -> float | None:
        return self.authority_handlers.get(handler, self.authority_default)


MI_KEYS = {
    "service_levels": "per product group (or default): {business_days: N} or {weeks: N}",
    "redress_plan": "per product group (or total): pounds of redress planned per calendar month",
    "authority_limits": "{default: pounds, handlers: {HANDLER_ID: pounds}}: redress a handler may award alone",
}
AUTHORITY_KEYS = {"default": "pounds, for every handler not listed", "handlers": "handler id -> pounds"}
LEVEL_KEYS = {"business_days": "business days after receipt", "weeks": "weeks after receipt"}


def _hint(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word.strip().lower(), known, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`? " if close else ""


def _mapping(raw: Any, path: KeyPath, error: ErrorAt, got: Describe, what: str) -> dict:
    if not isinstance(raw, dict):
        raise error(path, f"must be a mapping ({what}), got {got(raw)}")
    return raw


def _known_keys(raw: dict, path: KeyPath, known: dict[str, str] | list[str], error: ErrorAt) -> None:
    names = list(known)
    for key in raw:
        if key not in names:
            raise error((*path, key), f"unknown key; {_hint(key, names)}the keys here are {', '.join(names)}")


def _pounds(value: Any, path: KeyPath, error: ErrorAt, got: Describe, positive: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        least = "more than 0" if positive else "at least 0"
        raise error(path, f"must be an amount in pounds of {least} (e.g. 500), got {got(value)}")
    return float(value)


def _whole(value: Any, path: KeyPath, error: ErrorAt, got: Describe) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise error(path, f"must be a whole number of at least 1, got {got(value)}")
    return value


def _service_level(raw: Any, path: KeyPath, error: ErrorAt, got: Describe) -> ServiceLevel:
    level = _mapping(raw, path, error, got, "{business_days: N} or {weeks: N}")
    _known_keys(level, path, LEVEL_KEYS, error)
    if len(level) != 1:
        raise error(path, f"give exactly one of business_days or weeks, got {got(raw)}")
    ((unit, value),) = level.items()
    return ServiceLevel(**{unit: _whole(value, (*path, unit), error, got)})


def _by_group(raw: dict, path: KeyPath, extra: str, error: ErrorAt) -> None:
    known = [*mi_groups(), extra]
    for key in raw:
        if key not in known:
            raise error(
                (*path, key),
                f"{key!r} is not an MI product group; {_hint(key, known)}use one of {', '.join(known)}",
            )


def parse_mi_settings(raw: Any, path: KeyPath, error: ErrorAt, got: Describe) -> MiSettings:
    """A firm's `mi:` mapping as MiSettings.

    Raises:
        whatever `error` makes (the configuration's InputError, exit 2) for the first problem found.
    """
    mi = _mapping(raw, path, error, got, ", ".join(MI_KEYS))
    _known_keys(mi, path, MI_KEYS, error)
    levels: dict[str, ServiceLevel] = {}
    if "service_levels" in mi:
        where = (*path, "service_levels")
        given = _mapping(mi["service_levels"], where, error, got, MI_KEYS["service_levels"])
        _by_group(given, where, DEFAULT, error)
        levels = {group: _service_level(value, (*where, group), error, got) for group, value in given.items()}
    plan: dict[str, float] = {}
    if "redress_plan" in mi:
        where = (*path, "redress_plan")
        given = _mapping(mi["redress_plan"], where, error, got, MI_KEYS["redress_plan"])
        _by_group(given, where, TOTAL, error)
        plan = {group: _pounds(value, (*where, group), error, got) for group, value in given.items()}
    default, handlers = None, {}
    if "authority_limits" in mi:
        where = (*path, "authority_limits")
        limits = _mapping(mi["authority_limits"], where, error, got, MI_KEYS["authority_limits"])
        _known_keys(limits, where, AUTHORITY_KEYS, error)
        if "default" in limits:
            default = _pounds(limits["default"], (*where, "default"), error, got, positive=True)
        if "handlers" in limits:
            named = _mapping(limits["handlers"], (*where, "handlers"), error, got, AUTHORITY_KEYS["handlers"])
            handlers = {
                str(handler): _pounds(value, (*where, "handlers", handler), error, got, positive=True)
                for handler, value in named.items()
            }
    return MiSettings(levels, plan, default, handlers)
