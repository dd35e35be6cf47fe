"""DISP 1 Annex 1ABR: claims management complaints and redress return (confirmed, from the seed)."""

from __future__ import annotations

import pandas as pd

from reportkit import rules
from reportkit.aggregate import concat_lineage, declared_row_cells, declared_row_lineage
from reportkit.layouts import load_layout
from reportkit.returns.common import (
    BuildInputs,
    ReturnResult,
    context_total,
    document_shell,
    facts_for,
    group_header,
    is_nil,
    lineage_rows,
)

RETURN_CODE = "annex1ab"


def scoped(inputs: BuildInputs) -> pd.DataFrame:
    """Claims management complaints of the covered firms from eligible complainants (DISP 1.10.1R(3)(b))."""
    frame = inputs.complaints
    keep = frame["firm_frn"].isin(inputs.frns) & frame["in_scope_annex1"] & frame["cmc_claim_type"].notna()
    return frame[keep]


def handled_claim_types(inputs: BuildInputs, complaints: pd.DataFrame) -> set[str]:
    """Claim types reported with numbers: those the firms handle, plus any with complaints (never dropped)."""
    declared = {code for firm in inputs.firms for code in firm.cmc_claim_types}
    return declared | set(map(str, complaints["cmc_claim_type"].dropna().unique()))


def build_annex1ab(inputs: BuildInputs) -> ReturnResult:
    """Build Annex 1AB for the firms in `inputs` and its period."""
    layout = load_layout(RETURN_CODE)
    complaints = scoped(inputs)
    facts = facts_for(inputs, complaints)
    opened = int(facts["opened"].sum())
    nil = is_nil(facts)
    consent = inputs.reporting_firm.publication_consent if opened >= rules.CMC_CONSENT_THRESHOLD else None
    document = document_shell(layout, inputs, nil)
    document["header"] = {
        **group_header(inputs),
        "nil_return": nil,
        "outstanding_at_start": None if nil else int(facts["outstanding_at_start"].sum()),
        "opened": None if nil else opened,
        "publication_consent": consent,
        "publication_confirmed": True if consent else None,
        "leads": None if nil else context_total(inputs, "cmc_leads"),
        "claims_opened": None if nil else context_total(inputs, "cmc_claims_opened"),
    }

    # Table 1 (rows 10-21): complaints opened by main focus (rows) and type of claim (columns).
    table1 = layout.tables["1"]
    types = table1.column_codes()
    handled = handled_claim_types(inputs, complaints)
    by_cell = facts["opened"].groupby([complaints["cmc_focus"], complaints["cmc_claim_type"]]).sum()
    by_type = facts["opened"].groupby(complaints["cmc_claim_type"]).sum()
    cells1 = {}
    for row in table1.row_codes():
        cells1[row] = {}
        for claim_type in types:
            if nil or claim_type not in handled:
                cells1[row][claim_type] = None
            elif row == "total":
                cells1[row][claim_type] = int(by_type.get(claim_type, 0))
            else:
                cells1[row][claim_type] = int(by_cell.get((row, claim_type), 0))

    # Table 2 (rows 22-30): closures, upheld and redress, with row 29 a context figure and row 30 their sum,
    # each declared in the layout's table2_rows.
    table2_rows = layout.raw["table2_rows"]
    cells2 = declared_row_cells(table2_rows, facts, lambda measure: context_total(inputs, measure), nil)
    document["tables"] = {"1": cells1, "2": cells2}

    lineage = [
        lineage_rows(RETURN_CODE, "1", complaints, facts["opened"], "cmc_focus", "cmc_claim_type"),
        lineage_rows(RETURN_CODE, "1", complaints, facts["opened"], None, "cmc_claim_type", row_code="total"),
    ]
    lineage += declared_row_lineage(RETURN_CODE, "2", table2_rows, complaints, facts)
    return ReturnResult(document, None if nil else concat_lineage(lineage))
