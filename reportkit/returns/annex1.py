"""DISP 1 Annex 1R: the complaints return, Part A-1 or A-2 and Part B (docs/returns.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from reportkit import rules, schedule
from reportkit.aggregate import TableInput
from reportkit.calendar import Period, ReferenceDate, period_ending
from reportkit.layouts import load_layout
from reportkit.measures import opened
from reportkit.returns.common import (
    BuildInputs,
    ReturnResult,
    build_tables,
    closed_exceeds_open_warnings,
    context_rows,
    document_shell,
    facts_for,
    group_header,
    is_nil,
    warning,
)

RETURN_CODE = "annex1"


def scoped(inputs: BuildInputs) -> pd.DataFrame:
    """The complaints of the covered firms that Annex 1 counts (DISP 1.10.1R, 1.10.1AR), Part A or Part B."""
    frame = inputs.complaints
    keep = frame["firm_frn"].isin(inputs.frns) & frame["in_scope_annex1"]
    keep &= frame["product"].notna() | frame["credit_activity"].notna()
    return frame[keep]


LENGTH_TOLERANCE_MONTHS = 0.5
"""Two periods whose lengths differ by less than this many months are of the same length (six-month periods
run 181 to 184 days); a shortened period around 1 January 2027 differs by whole months."""


def previous_period(inputs: BuildInputs) -> Period:
    """The reporting period the change warning compares with: the reporting firm's own period for this return
    that ends the day before this one starts (rules.md "Validation": compared with the reporting period
    ending the day before). Normally the same length; around 1 January 2027, where a period is shortened to
    end on 31 December 2026, the two may differ. When the firm's calendar has no period ending that day, the
    period of the same number of months ending that day."""
    day_before = inputs.period.start - dt.timedelta(days=1)
    found = schedule.period_ending(inputs.reporting_firm, RETURN_CODE, day_before)
    if found is not None:
        return found
    months = max(round(length_in_months(inputs.period)), 1)
    return period_ending(day_before, ReferenceDate(day_before.month, day_before.day), months)


def length_in_months(period: Period) -> float:
    """Calendar months in the closed interval [start, end]: whole months when the day after the end falls on
    the start's day of the month (1 Jan-30 Jun: 6.0), otherwise days x 12 / 365.2425."""
    after = period.end + dt.timedelta(days=1)
    if after.day == period.start.day:
        return float((after.year - period.start.year) * 12 + after.month - period.start.month)
    return round((after - period.start).days * 12 / 365.2425, 2)


def _span(period: Period) -> str:
    return f"{period.start} to {period.end}"


def change_warnings(complaints: pd.DataFrame, inputs: BuildInputs, facts: pd.DataFrame) -> list[pd.DataFrame]:
    """Warn when a product's complaints opened changed by more than the configured ratio on the previous
    reporting period (previous_period). Periods of different lengths are compared per month, and the warning
    says so; the minimum applies to the complaint counts themselves."""
    ratio, minimum = inputs.config.change_warning_ratio, inputs.config.change_warning_minimum
    previous = previous_period(inputs)
    before = opened(complaints["received_date"], previous).astype("int64")
    now = facts["opened"].groupby(complaints["product"], observed=True).sum()
    then = before.groupby(complaints["product"], observed=True).sum()
    both = pd.concat({"now": now, "then": then}, axis=1).fillna(0)
    months_now, months_then = length_in_months(inputs.period), length_in_months(previous)
    per_month = abs(months_now - months_then) >= LENGTH_TOLERANCE_MONTHS
    scale_now, scale_then = (months_now, months_then) if per_month else (1.0, 1.0)
    rate_now, rate_then = both["now"] / scale_now, both["then"] / scale_then
    big = both.max(axis=1) >= minimum
    changed = (rate_now > rate_then * ratio) | (rate_then > rate_now * ratio)
    return [
        warning(
            "period_change_above_ratio",
            f"product:{code}",
            int(row.now),
            _change_message(code, int(row.then), int(row.now), previous, inputs.period, per_month, ratio),
            RETURN_CODE,
        )
        for code, row in both[big & changed].iterrows()
    ]


def _change_message(
    code: str, then: int, now: int, previous: Period, period: Period, per_month: bool, ratio: float
) -> str:
    if not per_month:
        return (
            f"{code}: {then} complaints opened in the previous period, {now} in this one (change above the "
            f"configured ratio {ratio}; previous period {_span(previous)})"
        )
    months_then, months_now = length_in_months(previous), length_in_months(period)
    return (
        f"{code}: {then} complaints opened in the previous period ({_span(previous)}, {months_then:g} months: "
        f"{then / months_then:.1f} a month), {now} in this one ({_span(period)}, {months_now:g} months: "
        f"{now / months_now:.1f} a month); the periods differ in length, so complaints per month are compared "
        f"(change above the configured ratio {ratio})"
    )


def period_facts_for(inputs: BuildInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The complaints Annex 1 counts and their facts for the period: computed once per inputs, and the Annex 1B
    summary of the same inputs is built from these very facts."""
    if PERIOD_FACTS not in inputs.computed:
        complaints = scoped(inputs)
        inputs.computed[PERIOD_FACTS] = (complaints, facts_for(inputs, complaints))
    return inputs.computed[PERIOD_FACTS]


PERIOD_FACTS = "annex1.period_facts"


@dataclass(frozen=True)
class Parts:
    """The period's complaints and facts (period_facts_for) split into Part A (a product) and Part B (a credit
    activity only): split once per inputs, since on a market-sized run each split copies millions of rows."""

    complaints_a: pd.DataFrame
    facts_a: pd.DataFrame
    complaints_b: pd.DataFrame
    facts_b: pd.DataFrame


def period_parts(inputs: BuildInputs) -> Parts:
    """period_facts_for, split into Parts A and B (DISP 1 Annex 1R), computed once per inputs like it."""
    if PERIOD_PARTS not in inputs.computed:
        complaints, facts = period_facts_for(inputs)
        part_a = complaints["product"].notna().to_numpy()
        inputs.computed[PERIOD_PARTS] = Parts(complaints[part_a], facts[part_a], complaints[~part_a], facts[~part_a])
    return inputs.computed[PERIOD_PARTS]


PERIOD_PARTS = "annex1.period_parts"


def build_annex1(inputs: BuildInputs) -> ReturnResult:
    """Build the Annex 1 return for the firms in `inputs` (one firm, or a joint report) and its period."""
    layout = load_layout(RETURN_CODE)
    facts = period_facts_for(inputs)[1]  # Parts A and B together
    parts = period_parts(inputs)
    received = int(facts["opened"].sum())  # Part A and Part B together (DISP 1.10.2R)
    nil = is_nil(facts)
    variant = rules.part_a_variant(received)
    publishable = rules.publication_required(received, inputs.reporting_firm.annual_reporter)
    consent = inputs.reporting_firm.publication_consent if publishable else None

    document = document_shell(layout, inputs, nil)
    document["header"] = {
        **group_header(inputs),
        "nil_return": nil,
        "outstanding_at_start": None if nil else int(parts.facts_a["outstanding_at_start"].sum()),
        "opened": None if nil else int(parts.facts_a["opened"].sum()),
        "part_a": variant,
        "publication_consent": consent,
        "publication_confirmed": True if consent else None,
    }
    data = {
        "part_a": TableInput(parts.complaints_a, parts.facts_a, inputs.firms, inputs.period, inputs.context, nil),
        "part_b": TableInput(parts.complaints_b, parts.facts_b, inputs.firms, inputs.period, inputs.context, nil),
    }
    keys = [*layout.parts[variant], *layout.parts["B"]]
    document["tables"], lineage = build_tables(layout, keys, data)

    warnings = closed_exceeds_open_warnings(RETURN_CODE, keys[1], parts.complaints_a["product"], parts.facts_a)
    warnings += closed_exceeds_open_warnings(RETURN_CODE, "B", parts.complaints_b["credit_activity"], parts.facts_b)
    warnings += change_warnings(parts.complaints_a, inputs, parts.facts_a)
    offers_products = any(firm.products for firm in inputs.firms)
    if offers_products and not nil and not _has_context(inputs):
        warnings.append(
            warning(
                "no_context_figures",
                "context",
                str(inputs.period.end),
                f"no provision or intermediation figures for the period ending {inputs.period.end}: "
                f"Table {layout.parts[variant][2]} is left blank",
                RETURN_CODE,
            )
        )
    frames = [w for w in warnings if len(w)]
    return ReturnResult(document, lineage, pd.concat(frames, ignore_index=True) if frames else None)


def _has_context(inputs: BuildInputs) -> bool:
    return not context_rows(inputs, ["provision", "intermediation"]).empty
