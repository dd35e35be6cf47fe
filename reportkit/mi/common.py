"""Small helpers every MI table shares: percentages, in-range masks, and the rules tables are named by."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.calendar import Period

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


def month_of(dates: pd.Series) -> pd.Series:
    """YYYY-MM of each date (missing stays missing)."""
    return dates.dt.strftime("%Y-%m")


def week_of(dates: pd.Series) -> pd.Series:
    """The Monday starting each date's week, YYYY-MM-DD (weeks run Monday to Sunday, ISO 8601)."""
    days = dates.dt.normalize()
    return (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d")


def money(values: pd.Series | np.ndarray) -> pd.Series:
    """Pounds to the penny (sums of float units are rounded once, at the end)."""
    return pd.Series(np.round(np.asarray(values, dtype=float), 2), index=getattr(values, "index", None))
