"""DISP 1 Annex 1BR: the complaints data summary a firm publishes when its report reaches the threshold.

Figures come from the same per-complaint facts as the Annex 1 report it summarises (DISP 1.10A.1R:
"a summary of the complaints data contained in that report"), so the two always agree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reportkit import rules
from reportkit.aggregate import TableInput, active_codes, context_values
from reportkit.calendar import publication_deadline
from reportkit.layouts import Layout, load_layout
from reportkit.returns import annex1
from reportkit.returns.common import BuildInputs, ReturnResult, document_shell
from reportkit.taxonomy import load_taxonomy

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


def _pct(part: int, whole: int) -> float | None:
    return rules.summary_percentage(part, whole)


def _per_1000(opened: int, measure: float | None) -> float | None:
    return None if not measure else round(1000 * opened / measure, 2)


def main_cause(causes: pd.Series, opened: pd.Series) -> str | None:
    """The cause with most complaints opened; a tie goes to the first in taxonomy order (returns.md)."""
    counts = opened.groupby(causes.astype(object)).sum()
    order = load_taxonomy().codes("part_a_causes")
    counts = counts.reindex(order, fill_value=0)
    return None if counts.max() == 0 else str(counts.idxmax())  # idxmax returns the first maximum


def build_annex1b(inputs: BuildInputs) -> ReturnResult:
    """Build the complaints data summary for the firms in `inputs` (a joint report summarises the group)."""
    layout = load_layout(RETURN_CODE)
    taxonomy = load_taxonomy()
    complaints, facts = annex1.period_facts_for(inputs)
    part_a = complaints["product"].notna().to_numpy()
    table_spec = load_layout("annex1").tables["1"]
    data = TableInput(complaints[part_a], facts[part_a], inputs.firms, inputs.period, inputs.context, False)
    active = active_codes(table_spec, data)
    provision = context_values(table_spec, data, "provision")
    intermediation = context_values(table_spec, data, "intermediation")
    groups = complaints.loc[part_a, "product_group"].astype(object)

    rows = {}
    for group in taxonomy.codes("part_a_product_groups"):
        if group not in active:
            rows[group] = {code: None for code in layout.tables["1B"].column_codes()}
            continue
        in_group = (groups == group).to_numpy()
        sums = facts[part_a][in_group].sum()
        opened, closed = int(sums["opened"]), int(sums["closed"])
        has_intermediation = taxonomy.raw["part_a_product_groups"][group]["context_intermediation"] is not None
        cause = main_cause(complaints.loc[part_a, "cause"][in_group], facts.loc[part_a, "opened"][in_group])
        rows[group] = {
            "provision_per_1000": _per_1000(opened, provision.get(group)),
            "intermediation_per_1000": _per_1000(opened, intermediation.get(group)) if has_intermediation else None,
            "opened": opened,
            "closed": closed,
            "pct_closed_within_3_days": _pct(int(sums["closed_within_3_days"]), closed),
            "pct_closed_3_days_to_8_weeks": _pct(int(sums["closed_3_days_to_8_weeks"]), closed),
            "pct_upheld": _pct(int(sums["upheld"]), closed),
            "main_cause": cause,
            "main_cause_label": taxonomy.label("part_a_causes", cause) if cause else None,
        }
    tables: dict[str, dict] = {"1B": rows}
    part_b = load_layout("annex1").tables["B"]
    b_data = TableInput(complaints[~part_a], facts[~part_a], inputs.firms, inputs.period, inputs.context, False)
    if active_codes(part_b, b_data):  # Part B is not all blank
        sums = facts[~part_a].sum()
        tables["credit"] = {
            "credit_related": {
                "received": int(sums["opened"]),
                "closed": int(sums["closed"]),
                "pct_upheld": _pct(int(sums["upheld"]), int(sums["closed"])),
            }
        }

    document = document_shell(layout, inputs, False)
    document["header"] = summary_header(layout, inputs)
    document["tables"] = tables
    return ReturnResult(document)


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
