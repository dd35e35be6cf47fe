"""Volumes received and closed by month and week, and by product group, product and cause, each against the same
months a year before (a seasonal business compares like with like)."""

from __future__ import annotations

import pandas as pd

from reportkit.mi.common import month_of, pct, week_of, within
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
    table["received_change_pct"] = change_pct(table["received"], table["received_year_before"])
    return table


def change_pct(now: pd.Series, then: pd.Series) -> pd.Series:
    """(now - then) / then in %; missing where there was nothing a year before (no rate of change from 0)."""
    return pct(now - then, then)


def by_week(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Complaints received and closed in each week (Monday to Sunday) that overlaps the range, counting only
    days inside the range."""
    received = week_of(frame["received_date"])[within(frame["received_date"], window.period)].value_counts()
    closed = week_of(frame["closed_date"])[within(frame["closed_date"], window.period)].value_counts()
    first = pd.Timestamp(window.start) - pd.Timedelta(days=pd.Timestamp(window.start).weekday())
    weeks = pd.date_range(first, pd.Timestamp(window.end), freq="7D").strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "week_starting": list(weeks),
            "received": [int(received.get(w, 0)) for w in weeks],
            "closed": [int(closed.get(w, 0)) for w in weeks],
        }
    )


def by_dimension(frame: pd.DataFrame, window: Window, keys: list[str]) -> pd.DataFrame:
    """Complaints received and closed in the range per value of `keys` (e.g. group and product), with those
    received in the same span a year before and the change (%); sorted by received, largest first."""
    now = frame[within(frame["received_date"], window.period)].groupby(keys, dropna=False).size()
    closed = frame[within(frame["closed_date"], window.period)].groupby(keys, dropna=False).size()
    then = frame[within(frame["received_date"], window.year_before)].groupby(keys, dropna=False).size()
    table = pd.concat({"received": now, "closed": closed, "received_year_before": then}, axis=1).fillna(0)
    table = table.astype("int64").reset_index()
    table["received_change_pct"] = change_pct(table["received"], table["received_year_before"])
    return table.sort_values(["received", *keys], ascending=[False, *[True] * len(keys)], ignore_index=True)
