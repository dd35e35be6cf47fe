"""The reporting calendar: business days per UK nation, periods from the ARD, due dates, deadlines, regimes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from reportkit import calendar
from reportkit.calendar import Period, ReferenceDate

D = dt.date.fromisoformat
GOVUK = Path(__file__).parent / "data" / "uk-bank-holidays-2019-2027.csv"
DIVISIONS = {"england-and-wales": ["ENG", "WLS"], "scotland": ["SCT"], "northern-ireland": ["NIR"]}
ANNOUNCED_AFTER_SNAPSHOT = {("SCT", dt.date(2026, 6, 15))}


@pytest.mark.parametrize("division, nations", DIVISIONS.items())
def test_weekday_bank_holidays_match_govuk(division: str, nations: list[str]) -> None:
    govuk = pd.read_csv(GOVUK)
    official = {D(d) for d in govuk.loc[govuk["division"] == division, "date"] if D(d).weekday() < 5}
    for nation in nations:
        ours = {d for d in calendar.bank_holidays(nation) if 2019 <= d.year <= 2027 and d.weekday() < 5}
        later = {day for where, day in ANNOUNCED_AFTER_SNAPSHOT if where == nation}
        assert ours - later == official, (nation, ours ^ official)


@pytest.mark.parametrize(
    "day, nation, business",
    [
        ("2025-04-18", "ENG", False),  # Good Friday
        ("2025-04-21", "ENG", False),  # Easter Monday
        ("2025-04-21", "SCT", True),  # no Easter Monday in Scotland
        ("2025-01-02", "SCT", False),  # 2 January, Scotland only
        ("2025-01-02", "ENG", True),
        ("2025-08-04", "SCT", False),  # first Monday of August, Scotland
        ("2025-08-04", "ENG", True),
        ("2025-08-25", "ENG", False),  # last Monday of August, England
        ("2025-08-25", "SCT", True),
        ("2025-12-01", "SCT", False),  # St Andrew's Day (30 Nov, a Sunday) observed
        ("2025-03-17", "NIR", False),  # St Patrick's Day
        ("2025-03-17", "ENG", True),
        ("2025-07-14", "NIR", False),  # Battle of the Boyne, 12 July a Saturday, observed Monday
        ("2022-06-02", "ENG", False),  # Platinum Jubilee
        ("2022-06-03", "ENG", False),
        ("2022-09-19", "WLS", False),  # State funeral
        ("2023-05-08", "NIR", False),  # Coronation
        ("2025-01-04", "ENG", False),  # Saturday
        ("2026-06-15", "SCT", False),  # one-off: Scotland at the World Cup (holidays >= 0.91)
        ("2026-06-15", "ENG", True),
        ("2026-06-15", "NIR", True),
        ("2027-01-04", "SCT", False),  # 2 January 2027 is a Saturday: substitute day in Scotland only
        ("2027-01-04", "ENG", True),
        ("2025-01-06", "ENG", True),
    ],
)
def test_business_days_by_nation(day: str, nation: str, business: bool) -> None:
    assert calendar.is_business_day(D(day), nation) is business


def test_holidays_require_a_known_nation() -> None:
    with pytest.raises(ValueError, match="unknown part of the UK 'UK'"):
        calendar.bank_holidays("UK")


@pytest.mark.parametrize(
    "received, nation, third",
    [
        ("2025-01-06", "ENG", "2025-01-09"),  # Monday -> Thursday
        ("2025-01-04", "ENG", "2025-01-08"),  # Saturday -> Wednesday
        ("2025-04-17", "ENG", "2025-04-24"),  # Thursday before Easter: Good Friday and Easter Monday skipped
        ("2025-04-17", "SCT", "2025-04-23"),  # Scotland works Easter Monday
        ("2024-12-31", "SCT", "2025-01-07"),  # 1 and 2 January
        ("2024-12-31", "ENG", "2025-01-06"),
        ("2026-06-12", "SCT", "2026-06-18"),  # Friday before Scotland's one-off holiday of 15 June 2026
        ("2026-06-12", "ENG", "2026-06-17"),
        ("2026-12-31", "SCT", "2027-01-07"),  # the last period on today's forms: 1 and 4 January skipped
        ("2026-12-31", "ENG", "2027-01-06"),
        ("2026-12-31", "NIR", "2027-01-06"),
    ],
)
def test_third_business_day_following(received: str, nation: str, third: str) -> None:
    assert calendar.nth_business_day_after(D(received), 3, nation) == D(third)


@pytest.mark.parametrize(
    "end, due",
    [
        ("2025-06-30", "2025-08-11"),
        ("2025-12-31", "2026-02-12"),
        ("2025-03-31", "2025-05-15"),  # Easter and the May bank holiday in between
    ],
)
def test_due_is_thirty_business_days_after_the_period_end(end: str, due: str) -> None:
    assert calendar.due_date(D(end)) == D(due)


@pytest.mark.parametrize(
    "end, deadline",
    [
        ("2025-06-30", "2025-08-31"),
        ("2025-01-31", "2025-08-31"),
        ("2025-03-31", "2025-08-31"),
        ("2025-07-31", "2026-02-28"),
        ("2025-12-31", "2026-02-28"),
        ("2023-12-31", "2024-02-28"),
    ],
)
def test_publication_deadline(end: str, deadline: str) -> None:
    assert calendar.publication_deadline(D(end)) == D(deadline)


def _periods(ard: str, months: int, start: str, end: str) -> list[tuple[str, str]]:
    periods = calendar.reporting_periods(ReferenceDate.parse(ard), months, Period(D(start), D(end)))
    return [(p.start.isoformat(), p.end.isoformat()) for p in periods]


def test_half_years_from_a_31_december_ard() -> None:
    assert _periods("12-31", 6, "2025-01-01", "2025-12-31") == [
        ("2025-01-01", "2025-06-30"),
        ("2025-07-01", "2025-12-31"),
    ]


def test_half_years_from_a_31_march_ard() -> None:
    assert _periods("03-31", 6, "2025-01-01", "2025-12-31") == [
        ("2024-10-01", "2025-03-31"),
        ("2025-04-01", "2025-09-30"),
    ]


def test_month_end_ard_keeps_month_ends() -> None:
    assert _periods("04-30", 6, "2025-01-01", "2025-12-31") == [
        ("2024-11-01", "2025-04-30"),
        ("2025-05-01", "2025-10-31"),
    ]


@pytest.mark.parametrize("ard", ["02-28", "02-29"])
def test_february_ard_follows_leap_years(ard: str) -> None:
    assert _periods(ard, 6, "2023-06-01", "2024-12-31") == [
        ("2023-03-01", "2023-08-31"),
        ("2023-09-01", "2024-02-29"),
        ("2024-03-01", "2024-08-31"),
    ]


def test_annual_reporter_year_after_the_ard() -> None:
    assert _periods("03-31", 12, "2025-01-01", "2025-12-31") == [("2024-04-01", "2025-03-31")]


def test_periods_on_todays_forms_stop_at_the_end_of_2026() -> None:
    assert _periods("12-31", 6, "2026-06-01", "2027-12-31") == [
        ("2026-01-01", "2026-06-30"),
        ("2026-07-01", "2026-12-31"),
    ]
    assert _periods("03-31", 6, "2026-06-01", "2027-12-31") == [
        ("2026-04-01", "2026-09-30"),
        ("2026-10-01", "2026-12-31"),
    ]


def test_consolidated_periods_are_calendar_half_years_from_2027() -> None:
    periods = calendar.consolidated_periods(Period(D("2026-01-01"), D("2028-01-01")))
    assert [(str(p.start), str(p.end)) for p in periods] == [
        ("2027-01-01", "2027-06-30"),
        ("2027-07-01", "2027-12-31"),
    ]


@pytest.mark.parametrize(
    "start, end, regime",
    [
        ("2026-07-01", "2026-12-31", "current"),
        ("2026-10-01", "2026-12-31", "current"),
        ("2027-01-01", "2027-06-30", "consolidated"),
    ],
)
def test_regime(start: str, end: str, regime: str) -> None:
    assert calendar.regime(Period(D(start), D(end))) == regime


@pytest.mark.parametrize("text", ["13-01", "12/31", "", "02-30", "Dec 31"])
def test_bad_ard_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="is not MM-DD"):
        ReferenceDate.parse(text)
