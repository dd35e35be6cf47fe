"""The DISP counting rules, each a small named, vectorised function or table entry citing its paragraph.

Paragraphs are those of DISP 1 in the FCA Handbook (docs/rules.md maps each rule to its code). Functions take whole
columns (pandas Series / numpy arrays) and return whole columns: no loop over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.calendar import business_day_limit
from reportkit.schema import normalise_identifier

# ----------------------------------------------------------------------------- rule table
THREE_DAY_LIMIT_BUSINESS_DAYS = 3
"""DISP 1.5.1R, DISP 1.10.3G(2): closed by close of business on the 3rd business day following receipt."""

EIGHT_WEEKS_CALENDAR_DAYS = 56
"""DISP 1.6.2R: eight weeks after receipt; closed no later than day 56 is within 8 weeks."""

PSD_LIMIT_BUSINESS_DAYS = 15
"""DISP 1.6.2AR: payment services / e-money complaints, 15 business days after the day of receipt."""

PSD_EXCEPTIONAL_LIMIT_BUSINESS_DAYS = 35
"""DISP 1.6.2AR: in exceptional circumstances, 35 business days after the day of receipt."""

PART_A2_THRESHOLD = 500
"""DISP 1.10.2R: fewer than 500 complaints received in the period -> Part A-1; 500 or more -> Part A-2."""

PUBLICATION_THRESHOLD = 500
"""DISP 1.10A.1R(1), (3): a report of 500 or more complaints must be summarised and published."""

PUBLICATION_THRESHOLD_1A = 1000
"""DISP 1.10A.1R(1A), (4): 1,000 or more for annual credit-only (revenue <= 5m) or CMC-only firms."""

CMC_CONSENT_THRESHOLD = 1000
"""DISP 1 Annex 1AB question 6: the consent question applies when reporting 1,000 or more complaints."""

UPHELD_OUTCOMES = ("upheld", "partially_upheld")
"""DISP 1.10.3G(2), 1.10B.8G(2): a complaint upheld in part counts as upheld."""

ANNEX1_BANDS = ("closed_within_3_days", "closed_3_days_to_8_weeks", "closed_after_8_weeks")
"""Annex 1 Tables 2/5 and Annex 1AB rows 22-24, in form order."""

ANNEX1AD_BANDS = ("closed_within_15_business_days", "closed_16_to_35_business_days", "closed_after_35_business_days")
"""Annex 1AD Table 2 (DISP 1.6.2AR), in form order."""


# ----------------------------------------------------------------------------- scope
def not_forwarded_entirely(forwarded: pd.Series) -> pd.Series:
    """DISP 1.10.1AR: a complaint forwarded in its entirety is left out of the report. One forwarded only in
    part, or jointly owned, is reported in full by both respondents (DISP 1.10.1BG, 1.10B.3D, 1.10B.4D)."""
    # isin compares a categorical column by its categories; a missing value is "none" (not forwarded).
    return pd.Series(~forwarded.isin(["entire"]).to_numpy(dtype=bool), index=forwarded.index)


def in_scope_annex1(frame: pd.DataFrame) -> pd.Series:
    """DISP 1.10.1R: Annex 1, 1AB and 1C count complaints from eligible complainants, not forwarded entirely."""
    return frame["eligible_complainant"].astype(bool) & not_forwarded_entirely(frame["forwarded"])


def in_scope_annex1ad(frame: pd.DataFrame, eligible_only_services: list[str]) -> pd.Series:
    """DISP 1.1.3AD, 1.10B.2G: Annex 1AD counts complaints about payment services from every payment service
    user, eligible complainant or not (1.1.3AD(1)); complaints from electronic money holders count only when
    they are eligible complainants (1.1.3AD(2)). Only the issuing or redemption of e-money concerns holders as
    such (`eligible_only_services`, from the taxonomy): a payment made with e-money or a pre-paid card is a
    payment service (DISP 1 Annex 1AA "Service groupings"). A complaint forwarded in its entirety is left out
    (DISP 1.10B.3D)."""
    service = frame["payment_service"]
    about_payments = service.notna().to_numpy(dtype=bool)
    eligible_only = service.isin(eligible_only_services).to_numpy(dtype=bool)
    eligible = frame["eligible_complainant"].astype(bool).to_numpy()
    keep = (
        about_payments & (eligible | ~eligible_only) & not_forwarded_entirely(frame["forwarded"]).to_numpy(dtype=bool)
    )
    return pd.Series(keep, index=frame.index)


def adviser_key(frame: pd.DataFrame) -> pd.Series:
    """DISP 1.10.2AR(3): the adviser's IRN; else NI number and date of birth ("NI:<ni>:<dob>"); else date of
    birth, passport number and nationality ("PP:<passport>:<nationality>:<dob>"). None: no adviser.

    IRN, NI and passport numbers are compared without case and without spaces, so the key carries their
    normalised form ("abc 12345" and "ABC12345" are one adviser, keyed "ABC12345")."""
    irn = normalise_identifier(frame["adviser_irn"]).astype("string")
    ni = normalise_identifier(frame["adviser_ni_number"]).astype("string")
    passport = normalise_identifier(frame["adviser_passport_number"]).astype("string")
    dob, nationality = frame["adviser_date_of_birth"].astype("string"), frame["adviser_nationality"].astype("string")
    by_ni = "NI:" + ni + ":" + dob
    by_passport = "PP:" + passport + ":" + nationality + ":" + dob
    key = irn.fillna(by_ni.where(ni.notna(), by_passport))
    return key.astype(object).where(key.notna(), None)


# ----------------------------------------------------------------------------- upheld
def is_upheld(outcome: pd.Series, goodwill_payment: pd.Series) -> pd.Series:
    """DISP 1.10.3G(2), 1.10B.8G(2): upheld or partially upheld counts as upheld; no decision but a goodwill
    payment counts as upheld; a rejected complaint stays not upheld even with a goodwill payment."""
    # isin compares a categorical column by its categories; a missing outcome (still open) is neither.
    decided_upheld = outcome.isin(UPHELD_OUTCOMES).to_numpy(dtype=bool)
    without_decision = outcome.isin(["no_decision"]).to_numpy(dtype=bool)
    upheld = decided_upheld | (without_decision & goodwill_payment.astype(bool).to_numpy())
    return pd.Series(upheld, index=outcome.index)


# ----------------------------------------------------------------------------- time to close
def _days(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[D]")


def closed_within_business_days(received: pd.Series, closed: pd.Series, nation: pd.Series, n: int) -> pd.Series:
    """True where closed by close of business on the n-th business day following the day of receipt, on
    the bank holidays of each complaint's own part of the UK (FCA Glossary "business day"). Open -> False.

    Args:
        received, closed: datetime64 columns (closed may be NaT).
        nation: ENG, WLS, SCT or NIR per row.
        n: business days (3 for DISP 1.5.1R; 15 or 35 for DISP 1.6.2AR).
    """
    result = np.zeros(len(received), dtype=bool)
    is_closed = closed.notna().to_numpy()
    nations = nation.to_numpy()
    received_days, closed_days = _days(received), _days(closed)
    for code in pd.unique(nations[is_closed]):  # at most four nations, each handled as a whole column
        rows = is_closed & (nations == code)
        limit = business_day_limit(received_days[rows], n, str(code))
        result[rows] = closed_days[rows] <= limit
    return pd.Series(result, index=received.index)


def closed_within_eight_weeks(received: pd.Series, closed: pd.Series) -> pd.Series:
    """DISP 1.6.2R: closed no later than 56 calendar days after the day of receipt. Open -> False."""
    days = (closed - received).dt.days
    return (days <= EIGHT_WEEKS_CALENDAR_DAYS).fillna(False).astype(bool)


def annex1_time_band(received: pd.Series, closed: pd.Series, nation: pd.Series) -> pd.Series:
    """Annex 1 closure band of each closed complaint (None while open): within 3 business days
    (DISP 1.5.1R), else within 8 weeks (DISP 1.6.2R), else after 8 weeks."""
    within_3 = closed_within_business_days(received, closed, nation, THREE_DAY_LIMIT_BUSINESS_DAYS)
    within_8w = closed_within_eight_weeks(received, closed)
    band = np.select([within_3, within_8w, closed.notna()], list(ANNEX1_BANDS), default="")
    return _band_series(band, received.index)


def annex1ad_time_band(received: pd.Series, closed: pd.Series, nation: pd.Series) -> pd.Series:
    """Annex 1AD closure band (DISP 1.6.2AR): within 15 business days after the day of receipt, 16-35, or
    over 35 (None while open)."""
    within_15 = closed_within_business_days(received, closed, nation, PSD_LIMIT_BUSINESS_DAYS)
    within_35 = closed_within_business_days(received, closed, nation, PSD_EXCEPTIONAL_LIMIT_BUSINESS_DAYS)
    band = np.select([within_15, within_35, closed.notna()], list(ANNEX1AD_BANDS), default="")
    return _band_series(band, received.index)


def _band_series(band: np.ndarray, index: pd.Index) -> pd.Series:
    """Band codes as an object column, None for open complaints."""
    values = band.astype(object)
    values[band == ""] = None
    return pd.Series(values, index=index, dtype=object)


# ----------------------------------------------------------------------------- thresholds
def part_a_variant(received_in_period: int) -> str:
    """DISP 1.10.2R: Part A-1 below 500 complaints received in the period (Part A and Part B together, or
    all members of a joint report together), Part A-2 from 500."""
    return "A-2" if received_in_period >= PART_A2_THRESHOLD else "A-1"


def publication_threshold(annual_reporter: bool) -> int:
    """DISP 1.10A.1R: 500 complaints, or 1,000 for firms under (1A) (the annual reporters of DISP 1.10.1R(2))."""
    return PUBLICATION_THRESHOLD_1A if annual_reporter else PUBLICATION_THRESHOLD


def cmc_publication_threshold() -> int:
    """DISP 1.10A.1R(1A)(aa), (b) and (3): a firm with permission only for claims management publishes a summary
    when its report (a joint report: all members together) has 1,000 or more complaints."""
    return PUBLICATION_THRESHOLD_1A


def summary_percentage(part: int, whole: int) -> float | None:
    """DISP 1 Annex 1BR: a share as a percentage 0-100 with two decimals; None where there is nothing to divide
    by (no complaint closed), since 0% would state a figure the firm does not have."""
    return None if whole == 0 else round(100 * part / whole, 2)


def per_thousand(opened: int, measure: float | None) -> float | None:
    """DISP 1 Annex 1BR: complaints opened per 1,000 of the group's provision or intermediation measure, two
    decimals; None when the firm gave no figure (or 0), since no rate can be stated."""
    return None if not measure else round(1000 * opened / measure, 2)


def publication_required(complaints_in_report: int, annual_reporter: bool) -> bool:
    """DISP 1.10A.1R: the report's complaints (Part A + Part B, or the joint total) reach the threshold."""
    return complaints_in_report >= publication_threshold(annual_reporter)


# ----------------------------------------------------------------------------- redress
def redress_type_counts(redress_type: pd.Series, taxonomy_redress_types: dict, annex: str) -> pd.Series:
    """DISP 1.10.3G(3)-(4), 1.10B.8G(3)-(4): whether each redress line counts as redress, from the
    taxonomy's redress_types table (premium refunds taken in error never count; in Annex 1AD the amount of
    the payment transaction itself does not count).

    Args:
        annex: "annex1" (also 1AB and 1C) or "1ad".
    """
    flag = "counts_1ad" if annex == "1ad" else "counts_annex1"
    table = {code: bool(spec[flag]) for code, spec in taxonomy_redress_types.items()}
    return redress_type.map(table).fillna(False).astype(bool)


def whole_pounds(units: pd.Series | int, units_per_pound: int) -> pd.Series | int:
    """Whole pounds, rounding half up, applied to the *total* of a cell (never per line) (DISP 1 Annex 1R
    notes: redress in whole pounds). Works on exact integer units, so 0.50 always rounds to 1."""
    return (units + units_per_pound // 2) // units_per_pound
