"""Per-complaint facts for one reporting period: 0/1 counts and redress units, one row per complaint.

Every table cell of every return is a sum of one of these columns over the complaints of its row
(and, for the cause tables, its column); lineage is the complaints where that column is non-zero.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from reportkit.calendar import Period

RedressAttribution = Literal["closed_in_period", "paid_in_period"]

REDRESS_BASIS_KEY = "redress_attribution"
"""The configuration key that chooses the redress basis (docs/rules.md "Redress")."""

REDRESS_BASES: dict[str, str] = {
    "closed_in_period": "redress reported in the period its complaint closed, split by upheld status",
    "paid_in_period": "redress reported in the period it was paid, split by its complaint's upheld status at "
    "the period end",
}
"""What each basis means, as every run states it. The default, closed_in_period, follows DISP 1.10.2R(1)(b)(ii)
(redress "in relation to complaints upheld and not upheld in the relevant reporting period") and DISP 1.10.3G(2)
(report on the complaints closed and upheld in the period)."""


def redress_basis_statement(attribution: str) -> str:
    """The sentence a run, each return page and each workbook sheet show: the basis used and the key that
    changes it, e.g. "Redress basis: closed_in_period (...; set redress_attribution: paid_in_period to change)"."""
    other = next(basis for basis in REDRESS_BASES if basis != attribution)
    return f"Redress basis: {attribution} ({REDRESS_BASES[attribution]}; set {REDRESS_BASIS_KEY}: {other} to change)"


def in_period(dates: pd.Series, period: Period) -> pd.Series:
    """True where the date falls within the closed interval [period.start, period.end]."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return ((dates >= start) & (dates <= end)).fillna(False).astype(bool)


def opened(received: pd.Series, period: Period) -> pd.Series:
    """Opened = received in the period (DISP 1.10.7R; docs/rules.md "Counts")."""
    return in_period(received, period)


def outstanding_at_start(received: pd.Series, closed: pd.Series, period: Period) -> pd.Series:
    """Received before the period start and not closed before it (still open on the first day)."""
    start = pd.Timestamp(period.start)
    return ((received < start) & (closed.isna() | (closed >= start))).astype(bool)


def closed_in(closed: pd.Series, period: Period) -> pd.Series:
    """DISP 1.10.7R: closed (final response sent or acceptance in writing) within the period."""
    return in_period(closed, period)


def redress_per_complaint(
    complaints: pd.DataFrame, lines: pd.DataFrame, period: Period, attribution: RedressAttribution, flag: str
) -> pd.Series:
    """Redress units per complaint attributed to this period (DISP 1.10.3G(3)-(4)).

    closed_in_period (default): all counting lines of the complaints closed in the period.
    paid_in_period: the counting lines paid in the period, whatever the complaint's state.

    Args:
        flag: "counts_annex1" or "counts_1ad" — which redress definition applies.
    """
    counting = lines[lines[flag].astype(bool)]
    if attribution == "paid_in_period":
        counting = counting[in_period(counting["paid_date"], period)]
    # complaint_row is the position in the classified frame, whose RangeIndex labels `complaints` keeps.
    size = int(
        max(
            complaints.index.max() + 1 if len(complaints) else 0,
            counting["complaint_row"].max() + 1 if len(counting) else 0,
        )
    )
    totals = np.bincount(
        counting["complaint_row"].to_numpy(dtype="int64"),
        weights=counting["units"].to_numpy(dtype="float64"),
        minlength=size,
    )
    units = pd.Series(np.rint(totals[complaints.index.to_numpy()]).astype("int64"), index=complaints.index)
    if attribution == "closed_in_period":
        units = units.where(closed_in(complaints["closed_date"], period), 0)
    return units


def upheld_as_at(complaints: pd.DataFrame, period: Period) -> pd.Series:
    """Upheld status as known at the period end: a complaint still open then has no decision yet, so
    redress paid on it in the period (paid_in_period attribution) counts as not upheld. Re-running a past
    period with a later extract therefore gives the same split."""
    closed_by_end = (complaints["closed_date"] <= pd.Timestamp(period.end)).fillna(False)
    return (complaints["upheld"] & closed_by_end).astype(bool)


def period_facts(
    complaints: pd.DataFrame,
    lines: pd.DataFrame,
    period: Period,
    attribution: RedressAttribution,
    *,
    band_column: str,
    bands: tuple[str, ...],
    redress_flag: str = "counts_annex1",
) -> pd.DataFrame:
    """The facts of each complaint for one period.

    Columns: opened, outstanding_at_start, received (= opened), closed, one column per closure band,
    upheld (closed in the period and upheld), redress, redress_upheld, redress_not_upheld.
    """
    received, closed = complaints["received_date"], complaints["closed_date"]
    facts = pd.DataFrame(index=complaints.index)
    facts["opened"] = opened(received, period).astype("int64")
    facts["received"] = facts["opened"]
    facts["outstanding_at_start"] = outstanding_at_start(received, closed, period).astype("int64")
    is_closed = closed_in(closed, period)
    facts["closed"] = is_closed.astype("int64")
    for band in bands:
        facts[band] = (is_closed & (complaints[band_column] == band)).astype("int64")
    facts["upheld"] = (is_closed & complaints["upheld"]).astype("int64")
    redress = redress_per_complaint(complaints, lines, period, attribution, redress_flag)
    upheld_by_end = upheld_as_at(complaints, period)
    facts["redress"] = redress
    facts["redress_upheld"] = redress.where(upheld_by_end, 0)
    facts["redress_not_upheld"] = redress.where(~upheld_by_end, 0)
    return facts
