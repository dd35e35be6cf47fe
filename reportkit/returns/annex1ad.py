"""DISP 1 Annex 1AD: electronic money and payment services complaints return (DISP 1.10B)."""

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

RETURN_CODE = "annex1ad"


def scoped(inputs: BuildInputs) -> pd.DataFrame:
    """Payment services and e-money complaints of the covered firms that Annex 1AD counts (DISP 1.1.3AD,
    1.10B.2G, 1.10B.3D): every payment service user, eligible or not; only complaints about issuing or
    redeeming e-money are limited to eligible complainants (DISP 1.1.3AD(2))."""
    frame = inputs.complaints
    return frame[frame["firm_frn"].isin(inputs.frns) & frame["in_scope_1ad"]]


def build_annex1ad(inputs: BuildInputs) -> ReturnResult:
    """Build Annex 1AD for the firms in `inputs` and its (annual) period."""
    layout = load_layout(RETURN_CODE)
    complaints = scoped(inputs)
    # DISP 1.10B.8G(4): the amount of the payment transaction itself is not redress here (counts_1ad).
    facts = facts_for(inputs, complaints, "1ad")
    opened = int(facts["opened"].sum())
    nil = is_nil(facts)
    document = document_shell(layout, inputs, nil)
    document["header"] = {
        **group_header(inputs),
        "nil_return": nil,
        "outstanding_at_start": None if nil else int(facts["outstanding_at_start"].sum()),
        "opened": None if nil else opened,
        "publication_consent": inputs.reporting_firm.publication_consent,  # DISP 1.10B.14G: asked on every return
    }
    fraud = complaints["app_fraud_role"].notna().to_numpy()
    data = {
        "payment": TableInput(complaints, facts, inputs.firms, inputs.period, inputs.context, nil),
        # Table 4 counts APP fraud complaints separately; they are already in Tables 1-3 (never added twice).
        "app_fraud": TableInput(complaints[fraud], facts[fraud], inputs.firms, inputs.period, inputs.context, nil),
    }
    document["tables"], lineage = build_tables(layout, list(layout.parts["all"]), data)
    return ReturnResult(document, lineage)
