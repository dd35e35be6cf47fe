"""One row per complaint with what the MI tables count: the classified extract, narrowed to MI's columns.

Built on whole columns: the category of a complaint (Part A product, Part B credit activity or claims management
type) becomes one MI product group, product and cause, so every table can group every complaint the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.calendar import Period, business_day_limit, business_days_after
from reportkit.mi_settings import CMC_GROUP, CREDIT_GROUP

NO_CAUSE = "no_cause_recorded"
"""The cause of a Part B credit-related complaint: Annex 1 Part B has no cause column."""

UNITS_PER_POUND = 10_000
"""Redress lines carry integer units of 1/10,000 pound (reportkit.money)."""


@dataclass(frozen=True)
class Window:
    """The MI date range: the closed interval [start, end], with the same span a year before and the period of the
    same length just before it (for period-on-period movements)."""

    start: dt.date
    end: dt.date

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def year_before(self) -> Period:
        return Period(_years_back(self.start), _years_back(self.end))

    @property
    def previous(self) -> Period:
        """The period of the same number of days ending the day before `start`."""
        days = (self.end - self.start).days
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=days), end)


def _years_back(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def default_start(end: dt.date) -> dt.date:
    """The default MI range: the 12 months up to and including `end` (the day after the same day a year before)."""
    return _years_back(end) + dt.timedelta(days=1)


def _first_given(*columns: pd.Series) -> pd.Series:
    """Per row, the first of the columns that has a value (text), missing when none has."""
    result = columns[0].astype("string")
    for column in columns[1:]:
        result = result.fillna(column.astype("string"))
    return result


def mi_group(complaints: pd.DataFrame) -> pd.Series:
    """The MI product group: the Part A product group, else credit_related (Part B), else claims_management."""
    credit = pd.Series(np.where(complaints["credit_activity"].notna(), CREDIT_GROUP, None), index=complaints.index)
    cmc = pd.Series(np.where(complaints["cmc_claim_type"].notna(), CMC_GROUP, None), index=complaints.index)
    return _first_given(complaints["product_group"], credit, cmc)


def redress_pounds(complaints: pd.DataFrame, lines: pd.DataFrame) -> np.ndarray:
    """Redress per complaint in pounds: its lines that meet the DISP definition (DISP 1.10.3G(3)-(4); the line
    types' counts_annex1), whenever paid. `complaints` is the frame the lines' complaint_row positions refer to."""
    counted = lines[lines["counts_annex1"].to_numpy(dtype=bool)]
    units = np.bincount(
        counted["complaint_row"].to_numpy(dtype=np.int64),
        weights=counted["units"].to_numpy(dtype=np.float64),
        minlength=len(complaints),
    )
    return units[: len(complaints)] / UNITS_PER_POUND


def business_days_to(received: pd.Series, until: pd.Series, nation: pd.Series) -> np.ndarray:
    """Business days from the day after receipt up to and including `until` (DISP 1.5.1R, 1.6.2AR count so), on
    each complaint's own bank holidays; -1 where `until` is missing."""
    result = np.full(len(received), -1, dtype=np.int64)
    given = until.notna().to_numpy()
    nations = nation.astype("string").to_numpy(dtype=object, na_value="ENG")
    r, u = received.to_numpy(dtype="datetime64[D]"), until.to_numpy(dtype="datetime64[D]")
    for code in pd.unique(nations[given]):  # at most four nations, each a whole column
        rows = given & (nations == code)
        result[rows] = business_days_after(r[rows], u[rows], str(code))
    return result


def payment_limit(received: pd.Series, nation: pd.Series, n: int) -> np.ndarray:
    """The n-th business day following receipt, per complaint (DISP 1.6.2AR), as datetime64[D]."""
    days = received.to_numpy(dtype="datetime64[D]")
    result = np.empty(len(days), dtype="datetime64[D]")
    nations = nation.astype("string").to_numpy(dtype=object, na_value="ENG")
    for code in pd.unique(nations):
        rows = nations == code
        result[rows] = business_day_limit(days[rows], n, str(code))
    return result


MI_COLUMNS = [
    "complaint_id",
    "firm_frn",
    "nation",
    "received_date",
    "closed_date",
    "group",
    "product",
    "cause",
    "payment_service",
    "in_scope",
    "upheld",
    "redress",
    "handler",
    "vulnerable_customer",
    "vulnerability_related",
    "fos_referred_date",
    "fos_outcome",
]


GIVEN_FLAGS = ("vulnerable_customer", "vulnerability_related")
"""Flags read as false when blank: whether each was given is kept from the extract as read (`given_<flag>`), for
the 2027 data-readiness table."""


def given_flags(text: pd.DataFrame) -> pd.DataFrame:
    """Per complaint of the extract as read (reportkit.extract.read_text_frame), whether each GIVEN_FLAGS column
    has a value; in the row order of the typed, classified frame made from it."""
    return pd.DataFrame({f"given_{c}": text[c].notna().to_numpy(dtype=bool) for c in GIVEN_FLAGS})


def mi_frame(complaints: pd.DataFrame, lines: pd.DataFrame, given: pd.DataFrame | None = None) -> pd.DataFrame:
    """The MI frame of classified complaints (reportkit.classify) and their redress lines (classify.redress_lines);
    `given` (given_flags of the text they were typed from) says which flags were blank, else all count as given.

    Complaints forwarded in their entirety or from ineligible complainants stay in (MI is about the firm's own
    handling) and carry `in_scope` False, the scope of the returns (DISP 1.10.1R)."""
    frame = pd.DataFrame(
        {
            "complaint_id": complaints["complaint_id"].astype("string"),
            "firm_frn": complaints["firm_frn"].astype("string"),
            "nation": complaints["nation"].astype("string"),
            "received_date": complaints["received_date"],
            "closed_date": complaints["closed_date"],
            "group": mi_group(complaints),
            "product": _first_given(complaints["product"], complaints["credit_activity"], complaints["cmc_claim_type"]),
            "cause": _first_given(complaints["cause"], complaints["cmc_focus"]).fillna(NO_CAUSE),
            "payment_service": complaints["payment_service"].astype("string"),
            "in_scope": complaints["in_scope_annex1"].astype(bool),
            "upheld": complaints["upheld"].astype(bool) & complaints["closed_date"].notna(),
            "redress": redress_pounds(complaints, lines),
            "handler": complaints["handler"].astype("string"),
            "vulnerable_customer": complaints["vulnerable_customer"].astype(bool),
            "vulnerability_related": complaints["vulnerability_related"].astype(bool),
            "fos_referred_date": complaints["fos_referred_date"],
            "fos_outcome": complaints["fos_outcome"].astype("string"),
        },
        index=complaints.index,
    ).reset_index(drop=True)
    frame["given_outcome"] = complaints["outcome"].notna().to_numpy()
    for flag in GIVEN_FLAGS:
        frame[f"given_{flag}"] = given[f"given_{flag}"].to_numpy(dtype=bool) if given is not None else True
    return frame
