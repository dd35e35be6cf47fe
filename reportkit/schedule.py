"""Which returns an entity owes, for which periods: the calendar applied to a firm's configuration.

References: DISP 1.10.1R (half-yearly, or annual for DISP 1.10.1R(2) firms), DISP 1.10.2AR (Annex 1C twice a
year), DISP 1.10.4R/4AR (periods from the ARD), DISP 1.10B.9D (Annex 1AD: the year after the ARD, or the
calendar year), DISP 1.10A.3R (publication deadlines for Annex 1 and 1AB reports), DISP 1.10.1CR/1.10.1DG (joint
reports: one ARD, one reporting frequency), FCA PS25/19 (the consolidated return from 2027,
calendar.CONSOLIDATED_RETURN).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportkit import calendar
from reportkit.calendar import Period, ReferenceDate
from reportkit.config import Config, Firm, claims_management_returns_only
from reportkit.errors import InputError

PUBLISHED_RETURNS = ("annex1", "annex1ab")
"""DISP 1.10A.1R: the complaints data summary is of reports under DISP 1.10.1R (Annex 1 and 1AB)."""


def claims_management_only(firm: Firm) -> bool:
    """DISP 1.10A.1R(1A)(aa): the firm has permission to carry on only regulated claims management activities."""
    return claims_management_returns_only(firm.returns)


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


def period_note(firm: Firm, return_code: str, period: Period) -> str | None:
    """Why this period of the firm's return differs from its ARD-based length (the 2027 boundary), or None."""
    return calendar.shortened_note(period, period_ard(firm, return_code), period_months(firm, return_code))


def document_note(config: Config, document: dict) -> str | None:
    """period_note for a built return's JSON document (its reporting firm, return code and period)."""
    period = Period(
        dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"])
    )
    return period_note(config.firm(document["reporting_firm"]), document["return"], period)


def check_supported(day: dt.date, what: str) -> None:
    """Refuse a date outside the years the bank-holiday calendar covers: its due dates would lack holidays."""
    if not calendar.is_supported(day):
        raise InputError(
            f"{what} {day} is outside the dates reportkit supports ({calendar.SUPPORTED_FROM} to "
            f"{calendar.SUPPORTED_TO}, the years its bank-holiday calendar covers); give a date in that range"
        )


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
    note: str | None = None
    """Why the period differs from its ARD-based length (the 2027 boundary), else None."""


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
    """A joint report needs members with one accounting reference date (DISP 1.10.1DG; returns.md): refuse otherwise."""
    group = config.groups[entity]
    dates = {frn: str(config.firm(frn).ard) for frn in group.members}
    if len(set(dates.values())) > 1:
        listed = ", ".join(f"{frn}: {ard}" for frn, ard in dates.items())
        raise InputError(
            f"group {entity}: members have different accounting reference dates ({listed}); a joint report "
            "covers one reporting period, so run the members separately or correct the configuration"
        )


def frequency(firm: Firm) -> str:
    """A firm's reporting frequency as people say it: annual for DISP 1.10.1R(2) firms, else half-yearly."""
    return "annual" if firm.annual_reporter else "half-yearly"


def check_group_frequencies(config: Config, entity: str) -> None:
    """A joint report covers one reporting frequency (DISP 1.10.1DG: same ARD *and* same reporting frequencies
    and deadlines): refuse a group that mixes half-yearly and annual reporters."""
    group = config.groups[entity]
    frequencies = {frn: frequency(config.firm(frn)) for frn in group.members}
    if len(set(frequencies.values())) > 1:
        listed = ", ".join(f"{frn}: {value}" for frn, value in frequencies.items())
        by_rule = [frn for frn in group.members if claims_management_only(config.firm(frn))]
        fix = (
            f"; {', '.join(by_rule)} report(s) only annex1ab, so DISP 1.10.1R(2)(b) makes them annual whatever the "
            "configuration says: run the members separately"
            if by_rule
            else ", so run the members separately or set the same annual_reporter for every member"
        )
        raise InputError(
            f"group {entity}: members have different reporting frequencies ({listed}); a joint report covers one "
            f"reporting frequency (DISP 1.10.1DG){fix}"
        )


def check_group(config: Config, entity: str) -> None:
    """Refuse a group that cannot report jointly: mixed ARDs, then mixed reporting frequencies."""
    check_group_reference_dates(config, entity)
    check_group_frequencies(config, entity)


def _period_word(firm: Firm, code: str) -> str:
    return "year" if period_months(firm, code) == 12 else "half-year"


def _due_or_skipped(
    code: str, firms: list[Firm], period_end: dt.date, stem: str, available: set[str], nil_for: str | None = None
) -> Due | Skipped:
    period = period_ending(firms[0], code, period_end)
    if period is None:
        return Skipped(stem, f"not due, {period_end} is not the end of its {_period_word(firms[0], code)}")
    if code not in available:
        return Skipped(stem, "not produced: this version of reportkit does not build it yet")
    return Due(code, firms, period, stem, nil_for, period_note(firms[0], code, period))


def legal_entities(config: Config, entity: str) -> list[Firm]:
    """The firms an entity covers, reporting firm first: from 2027 each files its own consolidated return."""
    return entity_returns(config, entity)[0]


def consolidated_reason(period: Period) -> str:
    """Why `run` builds nothing for a period under the consolidated return (FCA PS25/19)."""
    return (
        f"not produced: {period.start} to {period.end} falls under the consolidated complaints return (FCA PS25/19, "
        "one return per legal entity from 1 January 2027), which this version of reportkit does not produce yet; "
        "a per-entity preview is planned"
    )


def _consolidated_plan(config: Config, entity: str, period_end: dt.date) -> list[Skipped]:
    """A period end from 2027: one skipped consolidated return per legal entity, or an InputError when
    `period_end` is not a calendar half-year end."""
    firms = legal_entities(config, entity)
    window = Period(period_end - dt.timedelta(days=370), period_end + dt.timedelta(days=370))
    matches = [p for p in calendar.consolidated_periods(window) if p.end == period_end]
    if not matches:
        ends = sorted({p.end for p in calendar.consolidated_periods(window)})
        raise InputError(
            f"{period_end} ends no reporting period of {entity}: from {calendar.CONSOLIDATED_RETURN_FROM} periods "
            f"are calendar half-years (consolidated return, FCA PS25/19); nearby period ends: "
            f"{', '.join(str(e) for e in ends)}"
        )
    stems = (
        ["consolidated"]
        if len(firms) == 1 and entity not in config.groups
        else [f"consolidated--{firm.frn}" for firm in firms]
    )
    return [Skipped(stem, consolidated_reason(matches[0])) for stem in stems]


def plan(config: Config, entity: str, period_end: dt.date, available: set[str]) -> tuple[list[Due], list[Skipped]]:
    """Work out which returns are owed for the period ending `period_end`, and which are skipped and why.

    A firm: each of its returns. A group: each jointly reported return for all members under the reporting
    firm, a nil return of it for every other member, and the members' other returns one by one.

    From 1 January 2027 nothing is built: each legal entity's consolidated return is listed as skipped.

    Raises:
        InputError: unknown entity, a group with mixed ARDs or frequencies, a date outside the supported
            range, or a date that ends none of the entity's periods.
    """
    check_supported(period_end, "period end")
    items: list[Due | Skipped] = []
    if entity in config.groups:
        check_group(config, entity)
    if period_end >= calendar.CONSOLIDATED_RETURN_FROM:
        return [], _consolidated_plan(config, entity, period_end)
    if entity in config.groups:
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
        ends = sorted(
            {p.end for code in {s.return_code for s in skipped} for p in periods(reporting, code, window)}
            | {p.end for p in calendar.consolidated_periods(window)}
        )
        raise InputError(
            f"{period_end} ends no reporting period of {entity} (ARD {reporting.ard}); "
            f"nearby period ends: {', '.join(str(e) for e in ends)}"
        )
    return due, skipped


def _row(code: str, firm: Firm, period: Period, note: str | None, nil: bool = False) -> dict:
    """One `calendar --json` row (interface.md): keys return, period_start, period_end, due,
    publication_deadline, regime, frn, note. A member's nil return has no complaints, so no publication
    deadline (DISP 1.10A.1R: the summary is of the joint report, filed by the reporting firm)."""
    return {
        "return": code,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "due": calendar.due_date(period.end).isoformat(),
        "publication_deadline": calendar.publication_deadline(period.end).isoformat()
        if summary_can_be_owed(firm, code) and not nil
        else None,
        "regime": calendar.regime(period),
        "frn": firm.frn,
        "note": note,
    }


def _joined(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def calendar_rows(config: Config, entity: str, window: Period) -> list[dict]:
    """Every return `run` produces for the entity, with periods, due dates, publication deadlines and regimes.

    Up to 31 December 2026 (the DISP 1 forms): a firm's returns; for a group, each jointly reported return
    (frn = the reporting firm), each other member's nil return of it (DISP 1.10.1CR) and the members' own
    returns. From 1 January 2027: one consolidated return per legal entity and calendar half-year (no joint
    returns, FCA PS25/19). Rows are ordered by period end, then as `run` lists them.

    Raises:
        InputError: window ends outside the supported dates, unknown entity, or a group that cannot report jointly.
    """
    check_supported(window.start, "--from")
    check_supported(window.end, "--to")
    firms, codes = entity_returns(config, entity)
    rows: list[dict] = []
    if entity in config.groups:
        check_group(config, entity)
        group = config.groups[entity]
        for code in codes:
            for period in periods(firms[0], code, window):
                rows.append(_row(code, firms[0], period, period_note(firms[0], code, period)))
                filer = group.reporting_firm
                nil = f"nil return: group {entity} reports {code} jointly, filed by {filer} (DISP 1.10.1CR)"
                for member in firms[1:]:
                    rows.append(_row(code, member, period, _joined(nil, period_note(member, code, period)), nil=True))
        for member in firms:
            for code in member.returns:
                if code not in codes:
                    for period in periods(member, code, window):
                        rows.append(_row(code, member, period, period_note(member, code, period)))
    else:
        for code in codes:
            for period in periods(firms[0], code, window):
                rows.append(_row(code, firms[0], period, period_note(firms[0], code, period)))
    for period in calendar.consolidated_periods(window):
        rows.extend(_row("consolidated", firm, period, None) for firm in firms)
    order = {id(row): index for index, row in enumerate(rows)}
    return sorted(rows, key=lambda r: (r["period_end"], order[id(r)]))


def calendar_explanations(config: Config, entity: str, rows: list[dict]) -> list[str]:
    """What `calendar` states besides its rows: which bank holidays its due dates and the firms' time bands
    use, and the 2027 boundary when a shortened or consolidated period is listed."""
    lines = [
        f"due dates: {calendar.DUE_BUSINESS_DAYS} business days after the period end (DISP 1.10.5R, 1.10B.10D) on "
        "the England and Wales bank-holiday calendar, because returns are submitted to the FCA in England "
        '(FCA Glossary, "business day")'
    ]
    for firm in legal_entities(config, entity):
        holidays = calendar.HOLIDAY_CALENDAR_NAMES[firm.business_days]
        lines.append(
            f"time bands of firm {firm.frn}: business days on the {holidays} bank-holiday calendar "
            f"(its business_days setting: {firm.business_days})"
        )
    boundary = calendar.CONSOLIDATED_RETURN
    if any(row["note"] and "shortened" in row["note"] for row in rows):
        lines.append(
            f"2027 boundary: a period on the DISP 1 forms that would run past {boundary.last_current_day} ends on it "
            f"({boundary.sources[1]}); this boundary is {boundary.status}"
        )
    if any(row["regime"] == "consolidated" for row in rows):
        lines.append(
            f"consolidated rows: from {boundary.first_day} one return per legal entity and calendar half-year; this "
            "version of reportkit does not produce it yet"
        )
    return lines
