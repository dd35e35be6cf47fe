"""DISP 1 Annex 1BR: the complaints data summary a firm publishes when its report reaches the threshold.

Figures come from the same per-complaint facts as the Annex 1 report it summarises (DISP 1.10A.1R:
"a summary of the complaints data contained in that report"), so the two always agree.
"""

from __future__ import annotations

from typing import Any

from reportkit import rules
from reportkit.aggregate import (
    TableInput,
    active_codes,
    build_cells,
    build_lineage,
    concat_lineage,
    lineage_frame,
)
from reportkit.calendar import publication_deadline
from reportkit.layouts import Layout, load_layout
from reportkit.returns import annex1
from reportkit.returns.common import BuildInputs, ReturnResult, document_shell

RETURN_CODE = "annex1b"


def complaints_in_report(inputs: BuildInputs) -> int:
    """Complaints the Annex 1 report reports: received in the period, Part A and Part B together (joint: all)."""
    return int(annex1.period_facts_for(inputs)[1]["opened"].sum())


def publication_decision(inputs: BuildInputs) -> tuple[bool, str]:
    """DISP 1.10A.1R: due at 500+ complaints, 1,000+ for firms under (1A); says why either way."""
    count = complaints_in_report(inputs)
    threshold = rules.publication_threshold(inputs.reporting_firm.annual_reporter)
    if count >= threshold:
        return True, f"{count} complaints in the report reach the publication threshold of {threshold}"
    return False, f"not required: {count} complaints in the report is below the publication threshold of {threshold}"


def build_annex1b(inputs: BuildInputs) -> ReturnResult:
    """Build the complaints data summary for the firms in `inputs` (a joint report summarises the group).

    Table "1B" is the layout's (schemas/layouts/annex1b.yaml) built by the generic engine over the Annex 1
    report's Part A complaints: its rows with numbers are the product groups the Annex 1 report gives numbers.
    """
    layout = load_layout(RETURN_CODE)
    parts = annex1.period_parts(inputs)
    data = TableInput(parts.complaints_a, parts.facts_a, inputs.firms, inputs.period, inputs.context, False)
    rows = build_cells(layout.tables["1B"], data)
    tables: dict[str, dict] = {"1B": rows}
    lineage = [build_lineage(RETURN_CODE, layout.tables["1B"], data, rows)]
    part_b = load_layout("annex1").tables["B"]
    b_data = TableInput(parts.complaints_b, parts.facts_b, inputs.firms, inputs.period, inputs.context, False)
    if active_codes(part_b, b_data):  # Part B is not all blank
        sums = parts.facts_b.sum()
        tables["credit"] = {
            "credit_related": {
                "received": int(sums["opened"]),
                "closed": int(sums["closed"]),
                "pct_upheld": rules.summary_percentage(int(sums["upheld"]), int(sums["closed"])),
            }
        }
        lineage += credit_lineage(parts.complaints_b, parts.facts_b, tables["credit"]["credit_related"])

    document = document_shell(layout, inputs, False)
    document["header"] = summary_header(layout, inputs)
    document["tables"] = tables
    return ReturnResult(document, concat_lineage(lineage))


CREDIT_MEASURES = {"received": "opened", "closed": "closed", "pct_upheld": "upheld"}
"""The fact behind each cell of the credit-related row: a percentage's complaints are those it counts."""


def credit_lineage(complaints, facts, cells: dict[str, Any]) -> list:
    """Lineage of the credit-related row: for each non-blank cell, the Part B complaints it counts."""
    parts = []
    for column, measure in CREDIT_MEASURES.items():
        counted = facts[measure].to_numpy() != 0
        if cells.get(column) is None or not counted.any():
            continue
        chosen = complaints.loc[counted, ["firm_frn", "complaint_id"]]
        parts.append(lineage_frame(RETURN_CODE, "credit", "credit_related", column, chosen))
    return parts


def summary_header(layout: Layout, inputs: BuildInputs) -> dict[str, Any]:
    """The summary's header: who and what it covers, when to publish it (DISP 1.10A.3R) and the email to the FCA
    (DISP 1.10A.4R). Firm names only: a published summary holds no personal data."""
    firm = inputs.reporting_firm
    return {
        "firm_name": firm.name,
        "trading_names": sorted({name for f in inputs.firms for name in f.trading_names}),
        "firms_covered": [{"frn": f.frn, "name": f.name} for f in inputs.firms],
        "period_start": inputs.period.start.isoformat(),
        "period_end": inputs.period.end.isoformat(),
        "publication_deadline": publication_deadline(inputs.period.end).isoformat(),
        "fca_notification": " ".join(layout.raw["fca_notification"].split()),
    }
