"""DISP 1 Annex 1CR: complaints about retail investment advisers, one row per adviser (DISP 1.10.2AR)."""

from __future__ import annotations

import pandas as pd

from reportkit.aggregate import TableInput
from reportkit.layouts import load_layout
from reportkit.money import MONEY_UNITS_PER_POUND
from reportkit.returns.common import (
    BuildInputs,
    ReturnResult,
    build_tables,
    document_shell,
    facts_for,
    group_header,
    is_nil,
    warning,
)
from reportkit.rules import whole_pounds

RETURN_CODE = "annex1c"


def scoped(inputs: BuildInputs) -> pd.DataFrame:
    """Complaints from eligible complainants about an identified adviser of the covered firms (DISP 1.10.2AR(1))."""
    frame = inputs.complaints
    return frame[frame["firm_frn"].isin(inputs.frns) & frame["in_scope_annex1"] & frame["adviser_key"].notna()]


def build_annex1c(inputs: BuildInputs) -> ReturnResult:
    """Build Annex 1C: received, closed, upheld and redress (upheld complaints, whole £) per adviser."""
    layout = load_layout(RETURN_CODE)
    complaints = scoped(inputs)
    facts = facts_for(inputs, complaints)
    nil = is_nil(facts)
    document = document_shell(layout, inputs, nil)
    document["header"] = {**group_header(inputs), "nil_return": nil}
    data = {"adviser": TableInput(complaints, facts, inputs.firms, inputs.period, inputs.context, nil)}
    document["tables"], lineage = build_tables(layout, ["1C"], data)
    unlisted = unlisted_adviser_redress(complaints, facts, document["tables"]["1C"])
    return ReturnResult(document, lineage, unlisted)


def unlisted_adviser_redress(complaints: pd.DataFrame, facts: pd.DataFrame, rows: dict) -> pd.DataFrame | None:
    """Warn when redress for upheld complaints falls to advisers that are not rows of the return.

    An adviser with nothing received, closed or upheld in the period is not a row (shared rule "Adviser
    identifiers"). With the paid_in_period attribution, redress paid in the period on a complaint closed in an
    earlier one can belong to such an adviser: it is left out of Annex 1C, and this says so (the complaint
    ids only; the adviser identifiers are personal data).
    """
    dropped = ~complaints["adviser_key"].isin(list(rows)).to_numpy() & (facts["redress_upheld"].to_numpy() > 0)
    if not dropped.any():
        return None
    ids = sorted(complaints.loc[dropped, "complaint_id"].astype(str))
    pounds = int(whole_pounds(int(facts.loc[dropped, "redress_upheld"].sum()), MONEY_UNITS_PER_POUND))
    return warning(
        "adviser_redress_without_row",
        "1C:redress",
        pounds,
        f"£{pounds:,} redress paid in the period on {len(ids)} upheld complaint(s) closed in an earlier period "
        f"({', '.join(ids)}) is not in Annex 1C: its adviser(s) had nothing received, closed or upheld in "
        "this period, so are not rows",
        RETURN_CODE,
    )
