"""Named checks on the context figures (extract.md "context figures") that decide a figure if left alone.

A context figure is read by the return of its measure for the period it ends, so three mistakes would
change a reported figure without a word: two rows for the same firm, period, measure and key (summed), a
`period_end` that ends none of the firm's reporting periods (never read), and a figure for a product or
payment service the firm does not declare (never read: the row is blank on the return). Each is an error
naming the rows by file line. Rows for the firm's other real periods are allowed and ignored.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reportkit import calendar, schedule
from reportkit.calendar import _MAX_YEAR, _MIN_YEAR, Period
from reportkit.config import Config
from reportkit.extract import as_plain_text
from reportkit.taxonomy import load_taxonomy
from reportkit.validation.checks import DATE_FORM, FAR_FUTURE_YEAR
from reportkit.validation.report import findings_frame

CONTEXT_KEY = ["firm_frn", "period_end", "measure", "key"]
"""One row per firm, period, measure and key (extract.md): a duplicate is an error, never summed."""

MEASURE_RETURN: dict[str, str] = {
    "provision": "annex1",  # Annex 1 Tables 3/6 and Annex 1B, on the Annex 1 periods (DISP 1.10.4R/4AR)
    "intermediation": "annex1",
    "payment_volume": "annex1ad",  # Annex 1AD Table 3, on the Annex 1AD year (DISP 1.10B.9D)
    "cmc_leads": "annex1ab",  # Annex 1AB questions 8-9 and row 29, on the Annex 1AB periods
    "cmc_claims_opened": "annex1ab",
    "cmc_fee_cap_firm_initiated": "annex1ab",
}
"""Which return reads each measure, so whose reporting periods its `period_end` must end."""

MEASURE_DECLARATION: dict[str, str] = {
    "provision": "products",
    "intermediation": "products",
    "payment_volume": "payment_services",
}
"""The configuration list that must declare a measure's key: a figure for anything else is never reported."""

DECLARATION_CODES: dict[str, str] = {"products": "part_a_products", "payment_services": "payment_services"}
"""The taxonomy list of each declaration: a key that is no code at all is the suite's error, not this one's."""

_COLUMNS = ",".join(CONTEXT_KEY)


def _what(rows: pd.DataFrame) -> pd.Series:
    """How a row is named in a finding's value: "provision current_accounts", or "cmc_leads"."""
    return (rows["measure"].fillna("") + " " + rows["key"].fillna("")).str.strip()


def _findings(rows: pd.DataFrame, *, rule: str, column: str, messages: pd.Series, file: str) -> pd.DataFrame:
    """Findings for failing context rows, each with its own message (vectorised, one frame per rule)."""
    rows = rows.assign(_what=_what(rows))
    found = findings_frame(
        rows, severity="error", file=file, column=column, rule=rule, message="", value_column="_what"
    )
    found["message"] = messages.to_numpy()
    return found


def duplicate_context_rows(context: pd.DataFrame, file: str) -> pd.DataFrame:
    """Two or more rows for one firm, period_end, measure and key: an error on each, naming all their lines.

    Summing them would report a figure nobody gave (extract.md: "a duplicate is an error, never summed").
    """
    groups = context.groupby(CONTEXT_KEY, dropna=False, sort=False)["_line"]
    repeated = context[groups.transform("size").to_numpy() > 1]
    if repeated.empty:
        return _findings(repeated, rule="context_duplicate", column=_COLUMNS, messages=pd.Series([]), file=file)
    lines = repeated.groupby(CONTEXT_KEY, dropna=False, sort=False)["_line"].transform(
        lambda group: ", ".join(str(int(line)) for line in group)  # one call per duplicated key, not per row
    )
    messages = (
        "lines "
        + lines
        + " give the same firm_frn, period_end, measure and key: keep one row per firm, period, measure and "
        "key (figures are never summed)"
    )
    return _findings(repeated, rule="context_duplicate", column=_COLUMNS, messages=messages, file=file)


def _period_ends(config: Config, context: pd.DataFrame) -> pd.MultiIndex:
    """(firm_frn, measure, period_end text) for every reporting period of the return each measure belongs to,
    from the schedule (so any change to the periods, such as around 1 January 2027, applies here too)."""
    dates = pd.to_datetime(context["period_end"], format="%Y-%m-%d", errors="coerce")
    dates = dates[dates.dt.year.between(_MIN_YEAR, _MAX_YEAR)]
    if dates.empty:
        return pd.MultiIndex.from_tuples([], names=["firm_frn", "measure", "period_end"])
    first = max(dates.min().date() - dt.timedelta(days=1), dt.date(_MIN_YEAR, 1, 1))
    last = min(dates.max().date() + dt.timedelta(days=1), dt.date(_MAX_YEAR, 12, 31))
    window = Period(first, last)
    # One loop over configured firms and the measures they were given, never over rows.
    pairs = context[["firm_frn", "measure"]].drop_duplicates()
    pairs = pairs[pairs["firm_frn"].isin(config.firms) & pairs["measure"].isin(MEASURE_RETURN)]
    ends = [
        (frn, measure, period.end.isoformat())
        for frn, measure in pairs.itertuples(index=False)
        for period in schedule.periods(config.firms[frn], MEASURE_RETURN[measure], window)
    ]
    # From 2027 every firm's periods are calendar half-years (the consolidated return): figures already kept
    # for them are rows for the firm's other real periods, allowed and ignored.
    consolidated = [p.end.isoformat() for p in calendar.consolidated_periods(window)]
    ends += [(frn, measure, end) for frn, measure in pairs.itertuples(index=False) for end in consolidated]
    return pd.MultiIndex.from_tuples(ends, names=["firm_frn", "measure", "period_end"])


def context_period_not_reported(context: pd.DataFrame, config: Config, file: str) -> pd.DataFrame:
    """A `period_end` that ends none of the firm's reporting periods for the measure's return is never read,
    so its figure would be left out without a word: an error naming the row (extract.md)."""
    real = pd.to_datetime(context["period_end"], format="%Y-%m-%d", errors="coerce").notna()
    shaped = context["period_end"].str.match(DATE_FORM).fillna(False).astype(bool) & real  # else date_format
    placeholder = pd.to_numeric(context["period_end"].str.slice(0, 4), errors="coerce") >= FAR_FUTURE_YEAR
    candidates = context[
        context["firm_frn"].isin(config.firms)
        & context["measure"].isin(MEASURE_RETURN)
        & shaped
        & ~placeholder.fillna(False).astype(bool)  # named as a placeholder by the date checks
    ]
    keys = pd.MultiIndex.from_frame(candidates[["firm_frn", "measure", "period_end"]].astype(str))
    failing = candidates[~keys.isin(_period_ends(config, candidates))]
    returns = failing["measure"].map(MEASURE_RETURN)
    messages = (
        failing["period_end"]
        + " ends none of firm "
        + failing["firm_frn"]
        + "'s "
        + returns
        + " reporting periods, so the figure would never be reported: give the last day of one of its "
        "periods (reportkit calendar lists them) or remove the row"
    )
    return _findings(failing, rule="context_period_end", column="period_end", messages=messages, file=file)


def context_key_not_declared(context: pd.DataFrame, config: Config, file: str) -> pd.DataFrame:
    """A provision/intermediation figure for a product, or a payment volume for a service, that the firm does
    not declare is never reported (its row is blank on the return): an error saying how to fix it."""
    parts = []
    for attribute in sorted(set(MEASURE_DECLARATION.values())):
        measures = [m for m, a in MEASURE_DECLARATION.items() if a == attribute]
        declared = [(frn, code) for frn, firm in config.firms.items() for code in getattr(firm, attribute)]
        rows = context[context["measure"].isin(measures) & context["firm_frn"].isin(config.firms)]
        rows = rows[rows["key"].isin(load_taxonomy().codes(DECLARATION_CODES[attribute]))]
        keys = pd.MultiIndex.from_frame(rows[["firm_frn", "key"]].astype(str))
        failing = rows[~keys.isin(declared)] if declared else rows
        messages = (
            "firm "
            + failing["firm_frn"]
            + " does not declare "
            + failing["key"]
            + f" in its {attribute}, so the figure would never be reported: add `"
            + failing["key"]
            + f"` to `{attribute}` of firm "
            + failing["firm_frn"]
            + " or remove the row"
        )
        parts.append(_findings(failing, rule="context_key_not_declared", column="key", messages=messages, file=file))
    return pd.concat(parts, ignore_index=True)


KEYLESS_MEASURES = ("cmc_leads", "cmc_claims_opened", "cmc_fee_cap_firm_initiated")
"""Measures of the whole firm (Annex 1AB questions 8-9, row 29): a key would split one figure into rows that
the return adds up, so a key on them is an error."""


def context_key_on_keyless_measure(context: pd.DataFrame, file: str) -> pd.DataFrame:
    """A key given for a measure that takes none (extract.md: key is empty otherwise)."""
    failing = context[context["measure"].isin(KEYLESS_MEASURES) & context["key"].notna()]
    messages = failing["measure"] + " is a figure for the whole firm and takes no key: leave key empty"
    return _findings(failing, rule="context_key_not_allowed", column="key", messages=messages, file=file)


def context_findings(context: pd.DataFrame, config: Config, file: str) -> list[pd.DataFrame]:
    """Every context check, in the order a user would fix them (over the file's values as text: a context file
    has a few hundred rows, and its messages are built from them)."""
    context = as_plain_text(context)
    return [
        context_key_on_keyless_measure(context, file),
        duplicate_context_rows(context, file),
        context_period_not_reported(context, config, file),
        context_key_not_declared(context, config, file),
    ]
