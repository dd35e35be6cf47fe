"""What the pages need, written into the run folder: the notebooks read only the run (never the inputs).

`run.json` holds the run's facts (run id, inputs by name, rows and sha256, firms and their bank-holiday
calendars, regimes, the redress basis, why a period is shortened) and `facts/<stem>.parquet` the per-complaint
figures a chart needs (days to close). Both are pure functions of the inputs, parameters, configuration and
version, so a re-run reproduces them byte for byte; neither holds a path or personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit import schedule
from reportkit.calendar import Period
from reportkit.config import Config
from reportkit.measures import closed_in, redress_basis_statement
from reportkit.returns.common import ReturnResult
from reportkit.runinfo import RunInfo
from reportkit.tieouts import TieOut

RUN_FILE = "run.json"
FACTS_FOLDER = "facts"
CHARTED_RETURNS = ("annex1",)
"""Returns whose page charts per-complaint figures (Annex 1: days to close)."""


def run_document(
    info: RunInfo,
    config: Config,
    results: list[ReturnResult],
    tie_outs: list[TieOut] | None = None,
    complaints: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The run's facts as the pages show them (run.json)."""
    return {
        "run_id": info.run_id,
        "reportkit": info.version,
        "commit": info.commit,
        "entity": info.entity,
        "entity_name": info.entity_name,
        "period_end": info.period_end.isoformat(),
        "inputs": [
            {"role": item.role, "name": item.name, "rows": item.rows, "sha256": item.sha256} for item in info.inputs
        ],
        "firms": [
            {"frn": f.frn, "name": f.name, "business_days": f.nation, "calendar": f.calendar} for f in info.firms
        ],
        "regimes": list(info.regimes),
        "redress_attribution": config.redress_attribution,
        "redress_basis": redress_basis_statement(config.redress_attribution),
        "returns": {r.stem: {"note": schedule.document_note(config, r.document)} for r in results},
        "tie_outs": [t.to_json() for t in tie_outs or []],
        "reconciliation": {
            r.stem: reconciliation(complaints, r.document)
            for r in results
            if complaints is not None and r.code in RECONCILED_RETURNS and not r.document["nil_return"]
        },
    }


RECONCILED_RETURNS: dict[str, str] = {
    "annex1": "product or credit_activity",
    "annex1ab": "cmc_claim_type",
    "annex1ad": "payment_service",
    "annex1c": "an adviser identifier",
}
"""The returns whose rows are reconciled, and what puts a complaint in each (its category columns)."""


def _about(complaints: pd.DataFrame, code: str) -> pd.Series:
    if code == "annex1":
        return complaints["product"].notna() | complaints["credit_activity"].notna()
    if code == "annex1ab":
        return complaints["cmc_claim_type"].notna()
    if code == "annex1ad":
        return complaints["payment_service"].notna()
    return complaints["adviser_key"].notna() & (complaints["product"].notna() | complaints["credit_activity"].notna())


def reconciliation(complaints: pd.DataFrame, document: dict[str, Any]) -> list[dict[str, Any]]:
    """How the rows of the return's firms became the complaints it counts, step by step; each step's count is
    left out of the next, so the counts add up to the rows read (DISP 1.10.1R, 1.10.1AR, 1.1.3AD, 1.10.7R)."""
    code = document["return"]
    period = _period_of(document)
    rows = complaints["firm_frn"].isin(document["firms"])
    about = _about(complaints, code)
    scope = complaints["in_scope_1ad"] if code == "annex1ad" else complaints["in_scope_annex1"]
    entire = complaints["forwarded"].astype("string").fillna("none") == "entire"
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    received, closed = complaints["received_date"], complaints["closed_date"]
    active = (received <= end) & (closed.isna() | (closed >= start))  # received, open or closed in the period
    steps = [
        ("rows of the return's firms in the extract", rows),
        (f"about something else (no {RECONCILED_RETURNS[code]})", rows & ~about),
        ("forwarded in their entirety to another respondent (DISP 1.10.1AR)", rows & about & entire),
        (
            "not from an eligible complainant (DISP 1.10.1R; Annex 1AD: e-money issuing or redemption, DISP 1.1.3AD)",
            rows & about & ~entire & ~scope,
        ),
        (
            "no activity in the period (closed before it started, or received after it ended)",
            rows & about & scope & ~active,
        ),
        (
            "counted: received, outstanding at the start or closed in the period (DISP 1.10.7R)",
            rows & about & scope & active,
        ),
    ]
    return [{"step": label, "complaints": int(mask.sum())} for label, mask in steps]


def _period_of(document: dict[str, Any]) -> Period:
    return Period(dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"]))


def days_to_close_facts(complaints: pd.DataFrame, document: dict[str, Any]) -> pd.DataFrame:
    """complaint_id, firm_frn and calendar days from receipt to closure of every complaint an Annex 1 return
    counts that closed in its period (DISP 1.10.7R), in extract order."""
    period = Period(
        dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"])
    )
    counted = (
        complaints["firm_frn"].isin(document["firms"]).to_numpy()
        & complaints["in_scope_annex1"].to_numpy()
        & (complaints["product"].notna() | complaints["credit_activity"].notna()).to_numpy()
    )
    frame = complaints[counted & closed_in(complaints["closed_date"], period).to_numpy()]
    return pd.DataFrame(
        {
            "complaint_id": frame["complaint_id"].astype(str).to_numpy(),
            "firm_frn": frame["firm_frn"].astype(str).to_numpy(),
            "days_to_close": (frame["closed_date"] - frame["received_date"]).dt.days.astype("int64").to_numpy(),
        }
    )


def write_review_data(
    folder: Path,
    info: RunInfo,
    config: Config,
    results: list[ReturnResult],
    complaints: pd.DataFrame,
    tie_outs: list[TieOut] | None = None,
) -> None:
    """run.json (with every tie-out and its two figures) and facts/<stem>.parquet for every charted return."""
    document = run_document(info, config, results, tie_outs, complaints)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    (folder / RUN_FILE).write_text(text, encoding="utf-8")
    for result in results:
        if result.code in CHARTED_RETURNS and not result.document["nil_return"]:
            (folder / FACTS_FOLDER).mkdir(parents=True, exist_ok=True)
            facts = days_to_close_facts(complaints, result.document)
            facts.to_parquet(folder / FACTS_FOLDER / f"{result.stem}.parquet", index=False)
