"""DISP 1 Annex 1CR: complaints about retail investment advisers, one row per adviser (DISP 1.10.2AR)."""

from __future__ import annotations

import pandas as pd

from reportkit.aggregate import TableInput
from reportkit.layouts import load_layout
from reportkit.returns.common import (
    BuildInputs,
    ReturnResult,
    build_tables,
    document_shell,
    facts_for,
    group_header,
    is_nil,
)

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
    return ReturnResult(document, lineage)
