"""Reporting calendar: UK business days, reporting periods, due dates and publication deadlines.

This module imports nothing else of reportkit's: it is the bottom layer. Every rule cites its source.

References:
    FCA Glossary, "business day": any day except Saturday, Sunday, Christmas Day, Good Friday and a
        bank holiday in the part of the UK concerned.
    DISP 1.10.4R: half-yearly periods, the six months after and the six months before the ARD.
    DISP 1.10.4AR: annual reporters, the year immediately following the ARD.
    DISP 1.10B.9D: Annex 1AD, the year after the ARD (calendar year without one).
    DISP 1.10.5R, DISP 1.10B.10D: reports due within 30 business days of the period end.
    DISP 1.10A.3R: publication of the complaints data summary by 31 August / 28 February.
    FCA PS25/19: the consolidated complaints return from 1 January 2027 (CONSOLIDATED_RETURN).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import holidays
import numpy as np

NATIONS: tuple[str, ...] = ("ENG", "WLS", "SCT", "NIR")
"""Parts of the UK, as `holidays` subdivisions. Always pass one: `holidays.UK()` alone lacks Easter Monday."""

SUBMISSION_NATION = "ENG"
"""Returns are submitted to the FCA in England, so due dates use the England & Wales calendar."""

DUE_BUSINESS_DAYS = 30
"""DISP 1.10.5R and DISP 1.10B.10D: within 30 business days of the end of the reporting period."""

PUBLICATION_DEADLINE_H1 = (8, 31)
"""DISP 1.10A.3R(1): a period ending 1 January-30 June is published by 31 August of the same year."""

PUBLICATION_DEADLINE_H2 = (2, 28)
"""DISP 1.10A.3R(2): a period ending 1 July-31 December is published by 28 February of the next year."""

HOLIDAY_CALENDAR_NAMES: dict[str, str] = {
    "ENG": "England and Wales",
    "WLS": "England and Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
"""The bank-holiday calendar each part of the UK follows, as named in messages (gov.uk's divisions)."""


@dataclass(frozen=True)
class ConsolidatedReturnBoundary:
    """Where the DISP 1 forms stop and the FCA's consolidated complaints return starts.

    The rule: from `first_day` every firm reports one consolidated return per legal entity (no joint
    returns) on fixed calendar half-years. An ARD-based period on today's forms (half-yearly, annual, Annex
    1AD's year, Annex 1C's half-year) that starts before `first_day` and would end after it is cut short on
    the day before, and is due 30 business days after that day like any other period (DISP 1.10.5R).
    """

    name: str
    first_day: dt.date
    sources: tuple[str, ...]
    status: str

    @property
    def last_current_day(self) -> dt.date:
        """The last day any period on the DISP 1 forms can cover."""
        return self.first_day - dt.timedelta(days=1)

    def shortened_note(self, natural_end: dt.date) -> str:
        """The one-line note shown wherever a period cut at the boundary appears."""
        return (
            f"shortened last period on the DISP 1 forms: ends {self.last_current_day}, not {natural_end}, "
            f"because the {self.name} ({self.sources[0]}); {self.status}"
        )


CONSOLIDATED_RETURN = ConsolidatedReturnBoundary(
    name="consolidated complaints return starts on 1 January 2027 for all firms",
    first_day=dt.date(2027, 1, 1),
    sources=(
        "FCA PS25/19",
        "FCA PS25/19: one consolidated complaints return per legal entity, first period 1 January-30 June 2027, "
        "fixed calendar half-years for every firm, replacing DISP 1 Annex 1, 1AB, 1AD and 1C",
    ),
    status="our reading until the FCA publishes transitional provisions",
)
"""The 2027 boundary: one named policy, used by every period calculation below."""

CONSOLIDATED_RETURN_FROM = CONSOLIDATED_RETURN.first_day
"""Periods starting on or after this date fall under the consolidated complaints return."""

Regime = Literal["current", "consolidated"]
Frequency = Literal["half_yearly", "annual"]

# Holidays are computed for this range of years; a date outside it is an input error upstream.
_MIN_YEAR, _MAX_YEAR = 2000, 2060

SUPPORTED_FROM = dt.date(_MIN_YEAR, 1, 1)
SUPPORTED_TO = dt.date(_MAX_YEAR, 12, 31)
"""Period ends reportkit can date: the years its bank-holiday calendar covers (due dates need holidays)."""


def is_supported(day: dt.date) -> bool:
    """True when `day` lies in the years the bank-holiday calendar covers."""
    return SUPPORTED_FROM <= day <= SUPPORTED_TO


# --------------------------------------------------------------------------- business days


def _check_nation(nation: str) -> None:
    if nation not in NATIONS:
        raise ValueError(f"unknown part of the UK {nation!r}: expected one of {', '.join(NATIONS)}")


@lru_cache(maxsize=None)
def bank_holidays(nation: str) -> holidays.HolidayBase:
    """Bank holidays of one part of the UK, including Christmas Day and Good Friday, 2000-2060.

    One-off bank holidays (2022-06-02/03, 2022-09-19, 2023-05-08; in Scotland only 2026-06-15, appointed by
    Royal Proclamation of 3 February 2026) are included by `holidays` (0.91 and later: pyproject.toml).
    """
    _check_nation(nation)
    # One year of margin: a period ending in _MAX_YEAR is due early in the next year.
    return holidays.UK(subdiv=nation, years=range(_MIN_YEAR, _MAX_YEAR + 2))


@lru_cache(maxsize=None)
def _holiday_array(nation: str) -> np.ndarray:
    return np.array(sorted(bank_holidays(nation).keys()), dtype="datetime64[D]")


def is_business_day(day: dt.date, nation: str) -> bool:
    """True when `day` is a business day in `nation` (not a weekend, not a bank holiday there)."""
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=_holiday_array(nation)))


def business_day_limit(days: np.ndarray, n: int, nation: str) -> np.ndarray:
    """The n-th business day *following* each day in `days`, vectorised.

    A limit of "close of business on the n-th business day following the day of receipt" (DISP 1.5.1R,
    DISP 1.6.2AR): counting starts the day after, whatever kind of day the day itself is. Rolling a
    non-business day back to the previous business day before adding n gives exactly that: received on
    a Saturday, the 3rd business day following is the Wednesday.

    Args:
        days: dates as numpy datetime64[D] (no NaT).
        n: number of business days (>= 1).
        nation: ENG, WLS, SCT or NIR.
    """
    _check_nation(nation)
    return np.busday_offset(days, n, roll="backward", holidays=_holiday_array(nation))


def business_days_after(received: np.ndarray, closed: np.ndarray, nation: str) -> np.ndarray:
    """Business days from the day after receipt up to and including the day of closure, vectorised: the
    count the limits of DISP 1.5.1R and DISP 1.6.2AR are set in (0 when closed on the day of receipt or on
    non-business days before the first business day following it).

    Args:
        received, closed: dates as numpy datetime64[D] (no NaT), closed on or after received.
        nation: ENG, WLS, SCT or NIR.
    """
    _check_nation(nation)
    one = np.timedelta64(1, "D")
    return np.busday_count(received + one, closed + one, holidays=_holiday_array(nation))


def nth_business_day_after(day: dt.date, n: int, nation: str) -> dt.date:
    """The n-th business day following `day` in `nation` (scalar form of business_day_limit)."""
    limit = business_day_limit(np.array([day], dtype="datetime64[D]"), n, nation)[0]
    return limit.astype(dt.date)


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period, the closed interval [start, end]."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends {self.end} before it starts {self.start}")

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class ReferenceDate:
    """An accounting reference date as month and day (the year is irrelevant).

    A month-end ARD keeps month ends: 28 February counts as the end of February, so in a leap year the
    period ends on 29 February (and six months away, on 31 August).
    """

    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> "ReferenceDate":
        """Parse "MM-DD" (e.g. "12-31"); raises ValueError with the expected form."""
        try:
            month_text, day_text = str(text).strip().split("-")
            month, day = int(month_text), int(day_text)
            dt.date(2024, month, day)  # a leap year admits 02-29
        except (ValueError, TypeError) as exc:
            raise ValueError(f'accounting reference date {text!r} is not MM-DD (e.g. "12-31")') from exc
        return cls(month, day)

    @property
    def is_month_end(self) -> bool:
        return self.day >= _stdlib_calendar.monthrange(2023, self.month)[1]  # 2023: Feb has 28 days

    def in_month(self, year: int, month: int) -> dt.date:
        """The ARD's day-of-month placed in (year, month): a month-end ARD gives that month's end."""
        last = _stdlib_calendar.monthrange(year, month)[1]
        return dt.date(year, month, last if self.is_month_end else min(self.day, last))

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


CALENDAR_YEAR_END = ReferenceDate(12, 31)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def period_ends(ard: ReferenceDate, months: int, first_year: int, last_year: int) -> list[dt.date]:
    """Period end dates anchored on the ARD, every `months` months (6 or 12), within [first_year, last_year]."""
    ends = []
    for year in range(first_year - 1, last_year + 2):
        for step in range(0, 12, months):
            y, m = _add_months(year, ard.month, step)
            ends.append(ard.in_month(y, m))
    return sorted(e for e in set(ends) if first_year <= e.year <= last_year)


def period_ending(end: dt.date, ard: ReferenceDate, months: int) -> Period:
    """The period of `months` months (6 or 12) that ends on `end`, an ARD-anchored end date."""
    y, m = _add_months(end.year, end.month, -months)
    previous_end = ard.in_month(y, m)
    return Period(previous_end + dt.timedelta(days=1), end)


def regime(period: Period) -> Regime:
    """Which complaints return a period falls under: "current" (the DISP 1 forms: Annex 1, 1AB, 1AD, 1C) or
    "consolidated" (periods from 1 January 2027, CONSOLIDATED_RETURN)."""
    return "consolidated" if period.start >= CONSOLIDATED_RETURN.first_day else "current"


def reporting_periods(ard: ReferenceDate, months: int, window: Period) -> list[Period]:
    """Every ARD-based period on the DISP 1 forms whose end falls within `window`, in order.

    Periods follow the ARD (DISP 1.10.4R, 1.10.4AR, 1.10B.9D) while they start before 1 January 2027; the
    one that would run past 31 December 2026 ends there instead (CONSOLIDATED_RETURN). Later periods are the
    consolidated return's (consolidated_periods).
    """
    last_day = CONSOLIDATED_RETURN.last_current_day
    if window.start > last_day:
        return []
    periods = set()
    for end in period_ends(ard, months, window.start.year - 1, min(window.end.year, last_day.year) + 1):
        period = period_ending(end, ard, months)
        if period.start > last_day:
            continue
        periods.add(Period(period.start, min(period.end, last_day)))
    return sorted(p for p in periods if window.start <= p.end <= window.end)


def natural_end(period: Period, ard: ReferenceDate, months: int) -> dt.date:
    """Where an ARD-based period starting on `period.start` would end without the 2027 boundary."""
    return min(end for end in period_ends(ard, months, period.start.year, period.start.year + 1) if end >= period.start)


def shortened_note(period: Period, ard: ReferenceDate, months: int) -> str | None:
    """The CONSOLIDATED_RETURN note when `period` is the ARD-based period cut at 31 December 2026, else None."""
    if period.end != CONSOLIDATED_RETURN.last_current_day:
        return None
    full_end = natural_end(period, ard, months)
    return CONSOLIDATED_RETURN.shortened_note(full_end) if full_end > period.end else None


def consolidated_periods(window: Period) -> list[Period]:
    """The consolidated return's periods ending within `window`: calendar half-years from 1 January 2027."""
    first = max(window.start.year, CONSOLIDATED_RETURN.first_day.year)
    periods = [
        Period(dt.date(year, month, 1), dt.date(year, month + 5, 30 if month == 1 else 31))
        for year in range(first, window.end.year + 1)
        for month in (1, 7)
    ]
    return [p for p in periods if p.start >= CONSOLIDATED_RETURN.first_day and window.start <= p.end <= window.end]


def due_date(period_end: dt.date) -> dt.date:
    """DISP 1.10.5R / 1.10B.10D: 30 business days after the period end, on the England & Wales calendar."""
    return nth_business_day_after(period_end, DUE_BUSINESS_DAYS, SUBMISSION_NATION)


def publication_deadline(period_end: dt.date) -> dt.date:
    """DISP 1.10A.3R: period ending 1 Jan-30 Jun -> 31 August that year; 1 Jul-31 Dec -> 28 February next year."""
    if period_end.month <= 6:
        return dt.date(period_end.year, *PUBLICATION_DEADLINE_H1)
    return dt.date(period_end.year + 1, *PUBLICATION_DEADLINE_H2)
