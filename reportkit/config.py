"""The firm configuration (YAML): firms, groups and run options (docs/configuration.md).

Every problem is reported as an InputError naming the firm or group and the key, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from reportkit.calendar import NATIONS, ReferenceDate
from reportkit.errors import InputError
from reportkit.money import DEFAULT_MONEY_CEILING
from reportkit.taxonomy import load_taxonomy

RETURN_CODES: tuple[str, ...] = ("annex1", "annex1ab", "annex1ad", "annex1c")
"""Returns a firm can owe under its permissions (Annex 1B follows from annex1/annex1ab by threshold)."""

RedressAttribution = Literal["closed_in_period", "paid_in_period"]
FRN_PATTERN = re.compile(r"^\d{6,7}$")


@dataclass(frozen=True)
class Firm:
    frn: str
    name: str
    trading_names: tuple[str, ...] = ()
    accounting_reference_date: ReferenceDate | None = None
    annual_reporter: bool = False
    business_days: str = "ENG"
    returns: tuple[str, ...] = ("annex1",)
    products: tuple[str, ...] = ()
    credit_activities: tuple[str, ...] = ()
    payment_services: tuple[str, ...] = ()
    cmc_claim_types: tuple[str, ...] = ()
    publication_consent: bool = False

    @property
    def ard(self) -> ReferenceDate:
        """The ARD, 31 December when the firm has none (DISP 1.10B.9D uses the calendar year)."""
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


def _fail(where: str, message: str) -> InputError:
    return InputError(f"configuration: {where}: {message}")


def _codes(where: str, key: str, value: Any, allowed: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(where, f"{key} must be a list, got {value!r}")
    unknown = [str(v) for v in value if str(v) not in allowed]
    if unknown:
        raise _fail(where, f"{key} has unknown codes {unknown}; allowed: {', '.join(allowed)}")
    return tuple(str(v) for v in value)


def _frn(where: str, value: Any) -> str:
    text = str(value).strip()
    if not FRN_PATTERN.match(text):
        raise _fail(where, f"frn {value!r} is not 6 or 7 digits")
    return text


def _bool(where: str, key: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(where, f"{key} must be true or false, got {value!r}")
    return value


def _parse_firm(raw: dict, index: int) -> Firm:
    if not isinstance(raw, dict) or "frn" not in raw:
        raise _fail(f"firms[{index}]", "each firm needs at least an frn")
    frn = _frn(f"firms[{index}]", raw["frn"])
    where = f"firm {frn}"
    taxonomy = load_taxonomy()
    ard_text = raw.get("accounting_reference_date")
    try:
        ard = ReferenceDate.parse(ard_text) if ard_text not in (None, "") else None
    except ValueError as exc:
        raise _fail(where, str(exc)) from None
    nation = str(raw.get("business_days", "ENG"))
    if nation not in NATIONS:
        raise _fail(where, f"business_days {nation!r} must be one of {', '.join(NATIONS)}")
    trading = raw.get("trading_names") or []
    if not isinstance(trading, list):
        raise _fail(where, "trading_names must be a list")
    return Firm(
        frn=frn,
        name=str(raw.get("name", frn)),
        trading_names=tuple(str(t) for t in trading),
        accounting_reference_date=ard,
        annual_reporter=_bool(where, "annual_reporter", raw.get("annual_reporter"), False),
        business_days=nation,
        returns=_codes(where, "returns", raw.get("returns", ["annex1"]), list(RETURN_CODES)),
        products=_codes(where, "products", raw.get("products"), taxonomy.codes("part_a_products")),
        credit_activities=_codes(
            where, "credit_activities", raw.get("credit_activities"), taxonomy.codes("part_b_credit_activities")
        ),
        payment_services=_codes(
            where, "payment_services", raw.get("payment_services"), taxonomy.codes("payment_services")
        ),
        cmc_claim_types=_codes(where, "cmc_claim_types", raw.get("cmc_claim_types"), taxonomy.codes("cmc_claim_types")),
        publication_consent=_bool(where, "publication_consent", raw.get("publication_consent"), False),
    )


def _parse_group(raw: dict, firms: dict[str, Firm], index: int) -> Group:
    if not isinstance(raw, dict) or "id" not in raw:
        raise _fail(f"groups[{index}]", "each group needs an id")
    gid = str(raw["id"])
    where = f"group {gid}"
    if gid in firms:
        raise _fail(where, "a group id must not also be a firm's FRN")
    members = tuple(_frn(where, m) for m in raw.get("members") or [])
    missing = [m for m in members if m not in firms]
    if missing:
        raise _fail(where, f"members {missing} are not firms in the configuration")
    reporting = _frn(where, raw.get("reporting_firm", ""))
    if reporting not in members:
        raise _fail(where, f"reporting_firm {reporting} is not one of its members {list(members)}")
    return Group(
        id=gid,
        name=str(raw.get("name", gid)),
        reporting_firm=reporting,
        members=members,
        returns=_codes(where, "returns", raw.get("returns", ["annex1"]), list(RETURN_CODES)),
    )


def check_one_joint_report(groups: dict[str, Group]) -> None:
    """A firm belongs to at most one group that reports a given return jointly (DISP 1.10.1CR: a joint report
    covers the firm's complaints for that return), else its complaints would be reported twice.

    Raises:
        InputError: naming both groups, the firm and the return.
    """
    seen: dict[tuple[str, str], str] = {}
    for group in groups.values():  # a handful of groups and members: configuration, not data
        for frn in group.members:
            for code in group.returns:
                earlier = seen.setdefault((frn, code), group.id)
                if earlier != group.id:
                    raise _fail(
                        f"groups {earlier} and {group.id}",
                        f"both report {code} jointly for firm {frn}, so its complaints would be reported twice; "
                        f"remove {code} from the returns of one group or firm {frn} from its members",
                    )


def load_config(path: str | Path) -> Config:
    """Read and check a configuration file; raises InputError naming the problem."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except FileNotFoundError:
        raise InputError(f"configuration file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"configuration file {path} cannot be read as YAML: {exc}".splitlines()[0]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("firms"), list) or not raw["firms"]:
        raise InputError(f"configuration {path}: expected a mapping with a non-empty 'firms' list")
    firms: dict[str, Firm] = {}
    for index, item in enumerate(raw["firms"]):
        firm = _parse_firm(item, index)
        if firm.frn in firms:
            raise _fail(f"firm {firm.frn}", "listed twice")
        firms[firm.frn] = firm
    groups: dict[str, Group] = {}
    for index, item in enumerate(raw.get("groups") or []):
        group = _parse_group(item, firms, index)
        if group.id in groups:
            raise _fail(
                f"group {group.id}",
                f"the id is used by groups[{list(groups).index(group.id)}] and groups[{index}]; a group id names "
                "one group, so give each group its own id",
            )
        groups[group.id] = group
    check_one_joint_report(groups)
    attribution = raw.get("redress_attribution", "closed_in_period")
    if attribution not in ("closed_in_period", "paid_in_period"):
        raise _fail("redress_attribution", f"{attribution!r} must be closed_in_period or paid_in_period")
    return Config(
        firms=firms,
        groups=groups,
        redress_attribution=attribution,
        change_warning_ratio=float(raw.get("change_warning_ratio", 2.0)),
        change_warning_minimum=int(raw.get("change_warning_minimum", 20)),
        source=path,
    )
