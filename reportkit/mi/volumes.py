"""Volumes received and closed by month and week, and by product group, product and cause, each against the same
months a year before (a seasonal business compares like with like). A span a year before that begins before the
extract's first complaint (common.covers) is left blank, not 0: the extract does not say how many there were."""

from __future__ import annotations

import pandas as pd

from reportkit.calendar import Period
from reportkit.mi.common import covers, month_of, pct, week_of, within
from reportkit.mi.frame import Window


def by_month(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Complaints received and closed in each calendar month of the range, with the same month a year before
    and the change in received (%). Months are those the range touches, in order, every one listed."""
    months = pd.period_range(window.start, window.end, freq="M")
    before = {m: (m - 12) for m in months}
    received, closed = month_of(frame["received_date"]), month_of(frame["closed_date"])
    now_received = received[within(frame["received_date"], window.period)].value_counts()
    now_closed = closed[within(frame["closed_date"], window.period)].value_counts()
    then_received = received[within(frame["received_date"], window.year_before)].value_counts()
    then_closed = closed[within(frame["closed_date"], window.year_before)].value_counts()
    table = pd.DataFrame(
        {
            "month": [str(m) for m in months],
            "received": [int(now_received.get(str(m), 0)) for m in months],
            "closed": [int(now_closed.get(str(m), 0)) for m in months],
            "received_year_before": [int(then_received.get(str(before[m]), 0)) for m in months],
            "closed_year_before": [int(then_closed.get(str(before[m]), 0)) for m in months],
        }
    )
    known = [covers(frame, before[m].start_time) for m in months]
    table = _blank_where_unknown(table, known, ["received_year_before", "closed_year_before"])
    table["received_change_pct"] = change_pct(table["received"], table["received_year_before"])
    return table


def change_pct(now: pd.Series, then: pd.Series) -> pd.Series:
    """(now - then) / then in %; missing where there was nothing a year before (no rate of change from 0) or
    the count a year before is unknown (blank)."""
    return pct(now - then.astype("Float64").fillna(0), then.astype("Float64").fillna(0))


def _blank_where_unknown(table: pd.DataFrame, known: list[bool] | bool, columns: list[str]) -> pd.DataFrame:
    """`columns` as whole numbers, blank (missing) on the rows whose comparison span the extract does not cover."""
    mask = pd.Series(known, index=table.index, dtype=bool).to_numpy()
    for column in columns:
        table[column] = table[column].astype("Int64").where(mask, pd.NA)
    return table


WEEKS_A_YEAR = 52
"""A week is compared with the week 52 weeks (364 days) before: the same weekdays, about a year earlier."""


def by_week(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Complaints received and closed in each week (Monday to Sunday) that overlaps the range, counting only
    days inside the range, with the same days 52 weeks before and the change in received (%)."""
    received_week, closed_week = week_of(frame["received_date"]), week_of(frame["closed_date"])
    year = pd.Timedelta(weeks=WEEKS_A_YEAR)
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    before = Period((start - year).date(), (end - year).date())
    received = received_week[within(frame["received_date"], window.period)].value_counts()
    closed = closed_week[within(frame["closed_date"], window.period)].value_counts()
    then_received = received_week[within(frame["received_date"], before)].value_counts()
    then_closed = closed_week[within(frame["closed_date"], before)].value_counts()
    first = start - pd.Timedelta(days=start.weekday())
    weeks = pd.date_range(first, end, freq="7D")
    earlier = (weeks - year).strftime("%Y-%m-%d")
    names = weeks.strftime("%Y-%m-%d")
    table = pd.DataFrame(
        {
            "week_starting": list(names),
            "received": [int(received.get(w, 0)) for w in names],
            "closed": [int(closed.get(w, 0)) for w in names],
            "received_year_before": [int(then_received.get(w, 0)) for w in earlier],
            "closed_year_before": [int(then_closed.get(w, 0)) for w in earlier],
        }
    )
    # A week cut by the range's start is compared from the same weekday: the span a year before starts there.
    known = [covers(frame, max(w - year, start - year)) for w in weeks]
    table = _blank_where_unknown(table, known, ["received_year_before", "closed_year_before"])
    table["received_change_pct"] = change_pct(table["received"], table["received_year_before"])
    return table


def by_dimension(frame: pd.DataFrame, window: Window, keys: list[str]) -> pd.DataFrame:
    """Complaints received and closed in the range per value of `keys` (e.g. group and product), with those
    received in the same span a year before and the change (%); sorted by received, largest first."""
    now = frame[within(frame["received_date"], window.period)].groupby(keys, dropna=False).size()
    closed = frame[within(frame["closed_date"], window.period)].groupby(keys, dropna=False).size()
    then = frame[within(frame["received_date"], window.year_before)].groupby(keys, dropna=False).size()
    table = pd.concat({"received": now, "closed": closed, "received_year_before": then}, axis=1).fillna(0)
    table = table.astype("int64").reset_index()
    table = _blank_where_unknown(table, covers(frame, window.year_before.start), ["received_year_before"])
    table["received_change_pct"] = change_pct(table["received"], table["received_year_before"])
    return table.sort_values(["received", *keys], ascending=[False, *[True] * len(keys)], ignore_index=True)
