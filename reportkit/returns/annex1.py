"""DISP 1 Annex 1R: the complaints return, Part A-1 or A-2 and Part B (docs/returns.md)."""

from __future__ import annotations

import pandas as pd

from reportkit import rules
from reportkit.aggregate import TableInput
from reportkit.calendar import Period
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


def previous_period(period: Period) -> Period:
    """The period of the same length immediately before (for the change warning)."""
    length = period.end - period.start
    end = period.start - pd.Timedelta(days=1).to_pytimedelta()
    return Period(end - length, end)


def change_warnings(complaints: pd.DataFrame, inputs: BuildInputs, facts: pd.DataFrame) -> list[pd.DataFrame]:
    """Warn when a product's complaints opened changed by more than the configured ratio on the previous period."""
    ratio, minimum = inputs.config.change_warning_ratio, inputs.config.change_warning_minimum
    before = opened(complaints["received_date"], previous_period(inputs.period)).astype("int64")
    now = facts["opened"].groupby(complaints["product"]).sum()
    then = before.groupby(complaints["product"]).sum()
    both = pd.concat({"now": now, "then": then}, axis=1).fillna(0)
    big = both.max(axis=1) >= minimum
    changed = (both["now"] > both["then"] * ratio) | (both["then"] > both["now"] * ratio)
    return [
        warning(
            "period_change_above_ratio",
            f"product:{code}",
            int(row.now),
            f"{code}: {int(row.then)} complaints opened in the previous period, {int(row.now)} in this one "
            f"(change above the configured ratio {ratio})",
            RETURN_CODE,
        )
        for code, row in both[big & changed].iterrows()
    ]


def period_facts_for(inputs: BuildInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The complaints Annex 1 counts and their facts for the period (shared with the Annex 1B summary)."""
    complaints = scoped(inputs)
    facts = facts_for(inputs, complaints)
    return complaints, facts


def build_annex1(inputs: BuildInputs) -> ReturnResult:
    """Build the Annex 1 return for the firms in `inputs` (one firm, or a joint report) and its period."""
    layout = load_layout(RETURN_CODE)
    complaints, facts = period_facts_for(inputs)
    part_a = complaints["product"].notna()
    received = int(facts["opened"].sum())  # Part A and Part B together (DISP 1.10.2R)
    nil = is_nil(facts)
    variant = rules.part_a_variant(received)
    publishable = rules.publication_required(received, inputs.reporting_firm.annual_reporter)
    consent = inputs.reporting_firm.publication_consent if publishable else None

    document = document_shell(layout, inputs, nil)
    document["header"] = {
        **group_header(inputs),
        "nil_return": nil,
        "outstanding_at_start": None if nil else int(facts.loc[part_a, "outstanding_at_start"].sum()),
        "opened": None if nil else int(facts.loc[part_a, "opened"].sum()),
        "part_a": variant,
        "publication_consent": consent,
        "publication_confirmed": True if consent else None,
    }
    data = {
        "part_a": TableInput(complaints[part_a], facts[part_a], inputs.firms, inputs.period, inputs.context, nil),
        "part_b": TableInput(complaints[~part_a], facts[~part_a], inputs.firms, inputs.period, inputs.context, nil),
    }
    keys = [*layout.parts[variant], *layout.parts["B"]]
    document["tables"], lineage = build_tables(layout, keys, data)

    warnings = closed_exceeds_open_warnings(RETURN_CODE, keys[1], complaints.loc[part_a, "product"], facts[part_a])
    warnings += closed_exceeds_open_warnings(
        RETURN_CODE, "B", complaints.loc[~part_a, "credit_activity"], facts[~part_a]
    )
    warnings += change_warnings(complaints[part_a], inputs, facts[part_a])
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
