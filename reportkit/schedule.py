"""Which returns an entity owes, for which periods: the calendar applied to a firm's configuration.

References: DISP 1.10.1R (half-yearly, or annual for DISP 1.10.1R(2) firms), DISP 1.10.2AR (Annex 1C twice a
year), DISP 1.10.4R/4AR (periods from the ARD), DISP 1.10B.9D (Annex 1AD: the year after the ARD, or the
calendar year), DISP 1.10A.3R (publication deadlines for Annex 1 and 1AB reports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportkit import calendar
from reportkit.calendar import Period, ReferenceDate
from reportkit.config import Config, Firm
from reportkit.errors import InputError

PUBLISHED_RETURNS = ("annex1", "annex1ab")
"""DISP 1.10A.1R: the complaints data summary is of reports under DISP 1.10.1R (Annex 1 and 1AB)."""

CLAIMS_MANAGEMENT_RETURNS = ("annex1ab",)
"""A firm whose only return is Annex 1AB has permission only for claims management (DISP 1.10A.1R(1A)(aa))."""


def claims_management_only(firm: Firm) -> bool:
    """DISP 1.10A.1R(1A)(aa): the firm has permission to carry on only regulated claims management activities."""
    return tuple(firm.returns) == CLAIMS_MANAGEMENT_RETURNS


def summary_can_be_owed(reporting_firm: Firm, return_code: str) -> bool:
    """Whether a report of this return can owe a complaints data summary (DISP 1.10A.1R): an Annex 1 report, or
    the Annex 1AB report of a firm with permission only for claims management ((1A)(aa), (b); joint: (3),
    which turns on the firm that submits the joint report)."""
    if return_code == "annex1ab":
        return claims_management_only(reporting_firm)
    return return_code in PUBLISHED_RETURNS


def period_months(firm: Firm, return_code: str) -> int:
    """Length of the reporting period in months for one of a firm's returns."""
    if return_code == "annex1ad":
        return 12  # DISP 1.10B.9D
    if return_code == "annex1c":
        return 6  # DISP 1.10.2AR: twice a year
    return 12 if firm.annual_reporter else 6  # DISP 1.10.1R(2), 1.10.4AR


def period_ard(firm: Firm, return_code: str) -> ReferenceDate:
    """The ARD periods are anchored on: Annex 1AD without an ARD uses the calendar year (DISP 1.10B.9D)."""
    return firm.accounting_reference_date or calendar.CALENDAR_YEAR_END


def periods(firm: Firm, return_code: str, window: Period) -> list[Period]:
    return calendar.reporting_periods(period_ard(firm, return_code), period_months(firm, return_code), window)


def period_ending(firm: Firm, return_code: str, end: dt.date) -> Period | None:
    """The firm's reporting period for this return that ends on `end`, or None when none does."""
    window = Period(end - dt.timedelta(days=400), end)
    matches = [p for p in periods(firm, return_code, window) if p.end == end]
    return matches[0] if matches else None


@dataclass(frozen=True)
class Due:
    """One return to build: which firms it covers, for which period, and its file name in returns/."""

    return_code: str
    firms: list[Firm]
    period: Period
    stem: str
    nil_for: str | None = None
    """For a member of a joint report: its FRN; it files a nil return for that item (DISP 1.10.1C)."""


@dataclass(frozen=True)
class Skipped:
    stem: str
    reason: str

    @property
    def return_code(self) -> str:
        return self.stem.split("--")[0]


def entity_returns(config: Config, entity: str) -> tuple[list[Firm], list[str]]:
    """The firms an entity covers (reporting firm first) and the returns it reports (jointly, for a group)."""
    if entity in config.groups:
        group = config.groups[entity]
        firms = [config.firm(group.reporting_firm)] + [
            config.firm(m) for m in group.members if m != group.reporting_firm
        ]
        return firms, list(group.returns)
    firm = config.entity_firms(entity)[0]
    return [firm], list(firm.returns)


def check_group_reference_dates(config: Config, entity: str) -> None:
    """A joint report needs members with one accounting reference date (DISP 1.10.1D; returns.md): refuse otherwise."""
    group = config.groups[entity]
    dates = {frn: str(config.firm(frn).ard) for frn in group.members}
    if len(set(dates.values())) > 1:
        listed = ", ".join(f"{frn}: {ard}" for frn, ard in dates.items())
        raise InputError(
            f"group {entity}: members have different accounting reference dates ({listed}); a joint report "
            "covers one reporting period, so run the members separately or correct the configuration"
        )


def _period_word(firm: Firm, code: str) -> str:
    return "year" if period_months(firm, code) == 12 else "half-year"


def _due_or_skipped(
    code: str, firms: list[Firm], period_end: dt.date, stem: str, available: set[str], nil_for: str | None = None
) -> Due | Skipped:
    period = period_ending(firms[0], code, period_end)
    if period is None:
        return Skipped(stem, f"not due, {period_end} is not the end of its {_period_word(firms[0], code)}")
    if calendar.regime(period) == "consolidated":
        return Skipped(
            stem,
            f"not produced: {period.start} to {period.end} falls under the consolidated "
            "complaints return, which this version does not produce",
        )
    if code not in available:
        return Skipped(stem, "not produced: this version of reportkit does not build it yet")
    return Due(code, firms, period, stem, nil_for)


def plan(config: Config, entity: str, period_end: dt.date, available: set[str]) -> tuple[list[Due], list[Skipped]]:
    """Work out which returns are owed for the period ending `period_end`, and which are skipped and why.

    A firm: each of its returns. A group: each jointly reported return for all members under the reporting
    firm, a nil return of it for every other member, and the members' other returns one by one.

    Raises:
        InputError: unknown entity, a group with mixed ARDs, or a date that ends none of the entity's periods.
    """
    items: list[Due | Skipped] = []
    if entity in config.groups:
        check_group_reference_dates(config, entity)
        firms, joint = entity_returns(config, entity)
        for code in joint:
            items.append(_due_or_skipped(code, firms, period_end, code, available))
            for member in firms[1:]:
                items.append(
                    _due_or_skipped(code, [member], period_end, f"{code}--nil-{member.frn}", available, member.frn)
                )
        for member in firms:
            for code in member.returns:
                if code not in joint:
                    items.append(_due_or_skipped(code, [member], period_end, f"{code}--{member.frn}", available))
    else:
        firms, codes = entity_returns(config, entity)
        items = [_due_or_skipped(code, firms, period_end, code, available) for code in codes]
    due = [i for i in items if isinstance(i, Due)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    if not due and all(s.reason.startswith("not due") for s in skipped):
        reporting = firms[0]
        window = Period(period_end - dt.timedelta(days=370), period_end + dt.timedelta(days=370))
        ends = sorted({p.end for code in {s.return_code for s in skipped} for p in periods(reporting, code, window)})
        raise InputError(
            f"{period_end} ends no reporting period of {entity} (ARD {reporting.ard}); "
            f"nearby period ends: {', '.join(str(e) for e in ends)}"
        )
    return due, skipped


def calendar_rows(config: Config, entity: str, window: Period) -> list[dict]:
    """Periods, due dates, publication deadlines and regimes for every return the entity owes (for a group,
    the returns it reports jointly, on the reporting firm's periods)."""
    if entity in config.groups:
        check_group_reference_dates(config, entity)
    firms, codes = entity_returns(config, entity)
    rows = []
    for code in codes:
        for period in periods(firms[0], code, window):
            rows.append(
                {
                    "return": code,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "due": calendar.due_date(period.end).isoformat(),
                    "publication_deadline": calendar.publication_deadline(period.end).isoformat()
                    if summary_can_be_owed(firms[0], code)
                    else None,
                    "regime": calendar.regime(period),
                }
            )
    return sorted(rows, key=lambda r: (r["period_end"], r["return"]))
