"""Exact money: amounts in pounds parsed from text to integer units, never through floating point.

Redress is summed per cell and only then rounded to whole pounds (DISP 1 Annex 1R notes), so every line must
be held exactly: an amount is parsed from its digits into integer units of 1/10,000 pound. A per-line ceiling
(a validation rule, configurable as `money_ceiling`) keeps every line far below what a 64-bit total can hold,
and `check_total_fits` refuses totals that could not be added exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONEY_UNITS_PER_POUND = 10_000
"""Money is held as integer 1/100ths of a penny so that cell totals are exact before rounding."""

FRACTION_DIGITS = 4
"""Digits after the point that units hold exactly; a fifth digit rounds half up."""

DEFAULT_MONEY_CEILING = 100_000_000
"""Pounds: the largest amount one line may carry unless the configuration's `money_ceiling` says otherwise
(far above any real redress payment; an amount above it is almost always a typing or export error)."""

MAXIMUM_MONEY_CEILING = 1_000_000_000_000
"""Pounds: the highest ceiling a configuration may set, so one line is at most 10^16 units."""

LARGEST_EXACT_TOTAL = 2**62
"""Units: totals are refused above this, well inside int64, so no sum can overflow."""

MONEY_PATTERN = r"^(?P<pounds>\d+)(?:\.(?P<fraction>\d+))?$"


def _integer_part(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parts = values.astype("string").str.extract(MONEY_PATTERN)
    pounds = parts["pounds"].str.lstrip("0").fillna("")
    return pounds, parts["fraction"].fillna("")


def above_ceiling(values: pd.Series, ceiling: int) -> pd.Series:
    """True where a well-formed amount is above `ceiling` pounds, compared on its digits (any length)."""
    pounds, fraction = _integer_part(values)
    limit = str(ceiling)
    longer = pounds.str.len() > len(limit)
    same_length = pounds.str.len() == len(limit)
    # Same number of digits: compare as text (digit strings of equal length order like numbers).
    over = longer | (same_length & ((pounds > limit) | ((pounds == limit) & fraction.str.strip("0").ne(""))))
    return over.fillna(False).astype(bool)


def parse_units(values: pd.Series) -> pd.Series:
    """Exact integer units (1/10,000 pound) of amounts like "125.50"; <NA> for empty or malformed text.

    Call only on values that passed validation (form and ceiling), so every integer part has at most 13 digits.
    """
    pounds, fraction = _integer_part(values)
    whole = pd.to_numeric(pounds.mask(pounds == "", "0"), errors="coerce").astype("Int64")
    padded = fraction.str.pad(FRACTION_DIGITS + 1, side="right", fillchar="0")
    kept = pd.to_numeric(padded.str.slice(0, FRACTION_DIGITS), errors="coerce").astype("Int64")
    round_up = (padded.str.slice(FRACTION_DIGITS, FRACTION_DIGITS + 1) >= "5").astype("Int64")
    units = whole * MONEY_UNITS_PER_POUND + kept + round_up
    return units.where(values.astype("string").str.match(MONEY_PATTERN).fillna(False).astype(bool))


def check_total_fits(units: pd.Series) -> bool:
    """Whether the sum of these units can be formed exactly in 64-bit integers (checked in floating point,
    which is exact enough to tell a total near 2^62 from one near 2^63)."""
    return float(np.abs(units.to_numpy(dtype="float64", na_value=0.0)).sum()) < LARGEST_EXACT_TOTAL
