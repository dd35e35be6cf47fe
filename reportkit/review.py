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
    info: RunInfo, config: Config, results: list[ReturnResult], tie_outs: list[TieOut] | None = None
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
    }


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
    text = json.dumps(run_document(info, config, results, tie_outs), indent=2, ensure_ascii=False) + "\n"
    (folder / RUN_FILE).write_text(text, encoding="utf-8")
    for result in results:
        if result.code in CHARTED_RETURNS and not result.document["nil_return"]:
            (folder / FACTS_FOLDER).mkdir(parents=True, exist_ok=True)
            facts = days_to_close_facts(complaints, result.document)
            facts.to_parquet(folder / FACTS_FOLDER / f"{result.stem}.parquet", index=False)
