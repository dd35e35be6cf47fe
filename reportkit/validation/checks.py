"""Cross-column and cross-file rules that great-expectations cannot express, as small vectorised checks.

Each check is a pure predicate over the whole text frame that returns a boolean mask of the *failing*
rows (pandera's builtin_checks habit), registered with its rule name, column and message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from reportkit.calendar import _MAX_YEAR, _MIN_YEAR
from reportkit.distinct import by_value, text_of
from reportkit.money import above_ceiling


@dataclass(frozen=True)
class RowCheck:
    rule: str
    column: str
    message: str
    failing: Callable[[pd.DataFrame], pd.Series]
    value_column: str | None = None


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return by_value(frame[column], lambda v: pd.to_datetime(v, format="%Y-%m-%d", errors="coerce"))


DATE_FORM = r"^\d{4}-\d{2}-\d{2}$"


def not_a_real_date(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A value in the form YYYY-MM-DD that is no day of the calendar (2025-02-30). The suite checks the form
    with a vectorised regex; great-expectations' strftime expectation parses row by row in Python, which
    takes minutes on a million rows, so the calendar check is this vectorised one."""

    def check(frame: pd.DataFrame) -> pd.Series:
        return by_value(frame[column], _shaped_but_not_real)

    check.__doc__ = f"{column}: YYYY-MM-DD but not a real date."
    return check


FAR_FUTURE_YEAR = 2100
"""A date in this year or later is a placeholder, not a date: no complaint, payment or reporting period is
that far ahead, and complaint systems write such dates (9999-12-31, 2999-12-31) to mean "still open"."""


def far_future_placeholder(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A date in the form YYYY-MM-DD from FAR_FUTURE_YEAR on: a "still open" marker that must be left empty
    (extract.md). Read from the text, so that any such marker is named, whether or not it is a real day."""

    def check(frame: pd.DataFrame) -> pd.Series:
        return _far_future(frame[column])

    check.__doc__ = f"{column}: a far-future placeholder (year {FAR_FUTURE_YEAR} or later)."
    return check


def _far_future(values: pd.Series) -> pd.Series:
    return by_value(values, _far_future_values)


def _far_future_values(values: pd.Series) -> pd.Series:
    shaped = values.str.match(DATE_FORM).fillna(False).astype(bool)
    years = pd.to_numeric(values.str.slice(0, 4), errors="coerce")
    return shaped & (years >= FAR_FUTURE_YEAR).fillna(False).astype(bool)


def _shaped_but_not_real(values: pd.Series) -> pd.Series:
    shaped = values.str.match(DATE_FORM).fillna(False).astype(bool)
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    return shaped & parsed.isna() & ~_far_future_values(values)


def closed_before_received(frame: pd.DataFrame) -> pd.Series:
    """A complaint cannot be closed before it was received (DISP 1.10.7R: closed = final response sent)."""
    return _dates(frame, "closed_date") < _dates(frame, "received_date")


def fos_referred_before_received(frame: pd.DataFrame) -> pd.Series:
    """A complaint cannot reach the Financial Ombudsman Service before the firm received it (MI only: the
    referral date feeds the referral and overturn rates, never a return)."""
    return _dates(frame, "fos_referred_date") < _dates(frame, "received_date")


def category_count(frame: pd.DataFrame) -> pd.Series:
    return frame[["product", "credit_activity", "cmc_claim_type"]].notna().sum(axis=1)


def more_than_one_category(frame: pd.DataFrame) -> pd.Series:
    """DISP 1.10.3G(1): a complaint goes in one category only, the main one."""
    return category_count(frame) > 1


def no_category(frame: pd.DataFrame) -> pd.Series:
    """Every complaint needs its main category: a product, a credit activity or a claims management type."""
    return category_count(frame) == 0


def adviser_identifier_set(frame: pd.DataFrame) -> pd.Series:
    """DISP 1.10.2AR(3): an adviser is identified by IRN; or NI number + date of birth; or, with no NI
    number, date of birth + passport number + nationality. Any other partial set is an error."""
    has = {
        c: frame[c].notna()
        for c in (
            "adviser_irn",
            "adviser_ni_number",
            "adviser_date_of_birth",
            "adviser_passport_number",
            "adviser_nationality",
        )
    }
    any_given = pd.concat(has.values(), axis=1).any(axis=1)
    by_irn = has["adviser_irn"]
    by_ni = has["adviser_ni_number"] & has["adviser_date_of_birth"]
    by_passport = (
        ~has["adviser_ni_number"]
        & has["adviser_date_of_birth"]
        & has["adviser_passport_number"]
        & has["adviser_nationality"]
    )
    return any_given & ~(by_irn | by_ni | by_passport)


def app_fraud_without_payment_service(frame: pd.DataFrame) -> pd.Series:
    """DISP 1 Annex 1AA: an alleged APP fraud complaint (Annex 1AD Table 4) is also reported under its service
    grouping in Tables 1-3, so an `app_fraud_role` needs a `payment_service`; without one it would vanish
    from Table 4 without a word."""
    return frame["app_fraud_role"].notna() & frame["payment_service"].isna()


def _outside_calendar(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(frame: pd.DataFrame) -> pd.Series:
        years = _dates(frame, column).dt.year
        outside = years.notna() & ((years < _MIN_YEAR) | (years > _MAX_YEAR))
        return outside & ~_far_future(frame[column])  # a placeholder gets its own, more useful message

    check.__doc__ = f"{column} must fall within the business-day calendar ({_MIN_YEAR}-{_MAX_YEAR})."
    return check


OPTIONAL_DATES = ("closed_date", "fos_referred_date")
"""Date columns that may be empty: a placeholder there means "no date yet", so the fix is to leave it empty."""


def _placeholder_message(column: str) -> str:
    """What to do about a far-future date: leave an optional date empty, give the real date otherwise."""
    found = f"is a placeholder, not a date (year {FAR_FUTURE_YEAR} or later): "
    if column in OPTIONAL_DATES:
        return found + f"leave {column} empty while there is no date (an open complaint has an empty {column})"
    return found + f"give the real {column}"


def real_date_checks(columns: list[str]) -> list[RowCheck]:
    """Every date column: a real day of the calendar, and no far-future "still open" placeholder."""
    return [
        RowCheck("date_format", c, "is not a real date in the form YYYY-MM-DD", not_a_real_date(c)) for c in columns
    ] + [
        RowCheck(
            "far_future_placeholder",
            c,
            _placeholder_message(c),
            far_future_placeholder(c),
        )
        for c in columns
    ]


COMPLAINT_CHECKS: list[RowCheck] = [
    *real_date_checks(["received_date", "closed_date", "adviser_date_of_birth", "fos_referred_date"]),
    RowCheck("closed_before_received", "closed_date", "closed_date is before received_date", closed_before_received),
    RowCheck(
        "fos_referred_before_received",
        "fos_referred_date",
        "fos_referred_date is before received_date: a complaint goes to the Ombudsman after the firm received it",
        fos_referred_before_received,
    ),
    RowCheck(
        "more_than_one_category",
        "product",
        "give only one of product, credit_activity, cmc_claim_type (the main category, DISP 1.10.3G(1))",
        more_than_one_category,
    ),
    RowCheck("no_category", "product", "give one of product, credit_activity or cmc_claim_type", no_category),
    RowCheck(
        "adviser_identifier_set",
        "adviser_irn",
        "adviser identifiers must be an IRN, or NI number + date of "
        "birth, or date of birth + passport number + nationality (DISP 1.10.2AR(3))",
        adviser_identifier_set,
    ),
    RowCheck(
        "app_fraud_without_payment_service",
        "app_fraud_role,payment_service",
        "app_fraud_role is given but payment_service is empty: an APP fraud complaint (Annex 1AD Table 4) is "
        "also reported under its service grouping (DISP 1 Annex 1AA); give its payment_service",
        app_fraud_without_payment_service,
        value_column="app_fraud_role",
    ),
    RowCheck(
        "date_in_calendar_range",
        "received_date",
        f"received_date is outside {_MIN_YEAR}-{_MAX_YEAR}",
        _outside_calendar("received_date"),
    ),
    RowCheck(
        "date_in_calendar_range",
        "closed_date",
        f"closed_date is outside {_MIN_YEAR}-{_MAX_YEAR}",
        _outside_calendar("closed_date"),
    ),
    RowCheck(
        "date_in_calendar_range",
        "fos_referred_date",
        f"fos_referred_date is outside {_MIN_YEAR}-{_MAX_YEAR}",
        _outside_calendar("fos_referred_date"),
    ),
]


def money_ceiling_check(column: str, ceiling: int) -> RowCheck:
    """An amount above the per-line ceiling (configuration `money_ceiling`, pounds) is refused: almost always a
    typing or export error, and the ceiling keeps every total exact (reportkit/money.py)."""

    def check(frame: pd.DataFrame) -> pd.Series:
        return by_value(frame[column], lambda values: above_ceiling(values, ceiling))

    return RowCheck(
        "money_ceiling",
        column,
        f"is above the ceiling of £{ceiling:,} for one line (money_ceiling in the configuration): check the amount",
        check,
    )


def redress_without_complaint(redress: pd.DataFrame, complaints: pd.DataFrame) -> pd.Series:
    """A redress line must belong to a complaint in the extract (same firm_frn and complaint_id)."""
    keys = pd.MultiIndex.from_arrays([text_of(complaints["firm_frn"]), text_of(complaints["complaint_id"])])
    line_keys = pd.MultiIndex.from_arrays([text_of(redress["firm_frn"]), text_of(redress["complaint_id"])])
    return pd.Series(~line_keys.isin(keys), index=redress.index)


def redress_given_twice(complaints: pd.DataFrame) -> pd.Series:
    """Redress comes from the redress_amount column or from a redress file, not both (extract.md)."""
    return complaints["redress_amount"].notna()


GOODWILL_REDRESS_TYPE = "goodwill"
"""The redress_types code of a goodwill payment or gesture (DISP 1.10.3G(3))."""


def goodwill_lines(redress: pd.DataFrame, complaints: pd.DataFrame) -> pd.DataFrame:
    """The goodwill redress lines whose complaint's `goodwill_payment` is false, with that complaint's
    outcome and flag as typed (one row per line, in the redress frame's index; lines of an unknown
    complaint are left to redress_without_complaint)."""
    keys = ["firm_frn", "complaint_id"]
    flags = complaints[[*keys, "outcome", "goodwill_payment"]].drop_duplicates(keys).astype({k: str for k in keys})
    lines = redress[redress["redress_type"] == GOODWILL_REDRESS_TYPE]
    joined = lines[keys].astype(str).merge(flags, on=keys, how="left", indicator=True)
    joined.index = lines.index
    flag_false = joined["goodwill_payment"].astype("string").str.lower().eq("false").fillna(False).astype(bool)
    found = lines[flag_false & (joined["_merge"] == "both")]
    return found.assign(
        outcome=joined.loc[found.index, "outcome"], goodwill_payment=joined.loc[found.index, "goodwill_payment"]
    )


def goodwill_decides_upheld(lines: pd.DataFrame) -> pd.Series:
    """DISP 1.10.3G(2): a no_decision complaint counts as upheld when a goodwill payment was made, and the
    `goodwill_payment` flag decides that. A goodwill line under a false flag contradicts it: an error, since
    the contradiction would decide the upheld figure silently. Over goodwill_lines(...)."""
    return lines["outcome"].astype("string").eq("no_decision").fillna(False).astype(bool)
