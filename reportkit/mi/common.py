"""Small helpers every MI table shares: percentages, in-range masks, and the rules tables are named by."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reportkit.calendar import Period
from reportkit.distinct import by_value

PERCENT_DIGITS = 2
"""Percentages are kept to two decimals in the JSON (47.37); the workbook stores the fraction (0.4737)."""


def pct(part: pd.Series | np.ndarray | float, whole: pd.Series | np.ndarray | float) -> pd.Series | float | None:
    """100 * part / whole to two decimals; missing (None/NaN) where `whole` is 0: no rate of nothing."""
    if np.isscalar(whole):
        return None if not whole else round(100.0 * float(part) / float(whole), PERCENT_DIGITS)
    part_values = np.asarray(part, dtype=float)
    whole_values = np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(whole_values > 0, np.round(100.0 * part_values / whole_values, PERCENT_DIGITS), np.nan)
    return pd.Series(values, index=getattr(whole, "index", None))


def within(dates: pd.Series, period: Period) -> np.ndarray:
    """True where the date falls within the closed interval [period.start, period.end]."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return ((dates >= start) & (dates <= end)).fillna(False).to_numpy(dtype=bool)


def first_received(frame: pd.DataFrame) -> pd.Timestamp | None:
    """The earliest received date of the entity's complaints: where the extract's history begins."""
    first = frame["received_date"].min() if len(frame) else None
    return None if first is None or pd.isna(first) else pd.Timestamp(first)


def covers(frame: pd.DataFrame, start: dt.date | pd.Timestamp) -> bool:
    """Whether the extract holds complaints from `start` on. Its history is taken to begin on the first day of
    the month of its first complaint received (an extract is cut by month); a span that begins earlier is not
    in the extract, so its count is unknown, not 0: a comparison with it would show growth that is only the
    start of the data."""
    first = first_received(frame)
    return first is not None and pd.Timestamp(start) >= first.to_period("M").start_time


def month_of(dates: pd.Series) -> pd.Series:
    """YYYY-MM of each date (missing stays missing), worked out once per distinct date."""
    return by_value(dates, lambda v: v.dt.strftime("%Y-%m"))


def week_of(dates: pd.Series) -> pd.Series:
    """The Monday starting each date's week, YYYY-MM-DD (weeks run Monday to Sunday, ISO 8601)."""
    return by_value(dates, lambda v: (v - pd.to_timedelta(v.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d"))


def day_text(dates: pd.Series) -> np.ndarray:
    """YYYY-MM-DD of each date, None where missing, worked out once per distinct date (for lists of complaints)."""
    text = by_value(dates, lambda v: v.dt.strftime("%Y-%m-%d"))
    return text.astype(object).where(text.notna(), None).to_numpy()


def money(values: pd.Series | np.ndarray) -> pd.Series:
    """Pounds to the penny (sums of float units are rounded once, at the end)."""
    return pd.Series(np.round(np.asarray(values, dtype=float), 2), index=getattr(values, "index", None))
