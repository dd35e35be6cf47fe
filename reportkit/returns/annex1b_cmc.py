"""The complaints data summary of a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa), (b);
(3) for a joint report), published in the DISP 1 Annex 1BR format (DISP 1.10A.2R).

Annex 1BR has rows for product groups only, so the rows and columns come from reportkit's own layout
(schemas/layouts/annex1b-cmc.yaml): one row per type of claim with the Annex 1B measures. The figures are the
Annex 1AB report's (DISP 1.10A.1R(1A)(b): "a summary of the complaints data contained in that report"): the
same complaints, the same facts and the same rows with numbers, so its opened per row is Annex 1AB Table 1's.
"""

from __future__ import annotations

from reportkit import rules
from reportkit.aggregate import TableInput, build_cells, build_lineage
from reportkit.layouts import load_layout
from reportkit.returns import annex1ab
from reportkit.returns.annex1b import summary_header
from reportkit.returns.common import BuildInputs, ReturnResult, document_shell, facts_for

LAYOUT = "annex1b-cmc"


def complaints_in_report(inputs: BuildInputs) -> int:
    """Complaints the Annex 1AB report reports: opened in the period (a joint report: all members together)."""
    return int(facts_for(inputs, annex1ab.scoped(inputs))["opened"].sum())


def publication_decision(inputs: BuildInputs) -> tuple[bool, str]:
    """DISP 1.10A.1R(1A)(b), (3): a summary is due at 1,000 or more complaints; says why either way."""
    count = complaints_in_report(inputs)
    threshold = rules.cmc_publication_threshold()
    who = "for a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa), (b))"
    if count >= threshold:
        return True, f"{count} complaints in the Annex 1AB report reach the publication threshold of {threshold} {who}"
    return False, (
        f"not required: {count} complaints in the Annex 1AB report is below the publication threshold of "
        f"{threshold} {who}"
    )


def build_annex1b_cmc(inputs: BuildInputs) -> ReturnResult:
    """Build the claims-management summary (return `annex1b`, table "1B") for the firms in `inputs`."""
    layout = load_layout(LAYOUT)
    complaints = annex1ab.scoped(inputs)
    facts = facts_for(inputs, complaints)
    data = TableInput(complaints, facts, inputs.firms, inputs.period, inputs.context, False)
    # The rows with numbers are Annex 1AB's (claim types handled, or with complaints): its blanks are ours.
    handled = annex1ab.handled_claim_types(inputs, complaints)
    document = document_shell(layout, inputs, False)
    document["header"] = summary_header(layout, inputs)
    rows = build_cells(layout.tables["1B"], data, active=handled)
    document["tables"] = {"1B": rows}
    return ReturnResult(document, build_lineage(layout.return_code, layout.tables["1B"], data, rows))
