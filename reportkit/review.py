"""What the pages need, written into the run folder: the notebooks read only the run (never the inputs).

`run.json` holds the run's facts (run id, inputs by name, rows and sha256, firms and their bank-holiday
calendars, regimes, the redress basis, why a period is shortened) and `facts/<stem>.parquet` the per-complaint
figures a chart needs (days to close). Both are pure functions of the inputs, parameters, configuration and
version, so a re-run reproduces them byte for byte; neither holds a path or personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from reportkit import schedule
from reportkit.calendar import Period, business_days_after
from reportkit.config import Config
from reportkit.distinct import by_value, text_of
from reportkit.measures import closed_in, redress_basis_statement, redress_per_complaint
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
        **({"mapping": mapping_facts(info)} if info.mapping_text is not None else {}),
    }


def mapping_facts(info: RunInfo) -> dict[str, Any]:
    """The mapping the export was read with, as the pages show it: its file name, sha256 and contents."""
    item = next(i for i in info.inputs if i.role == "mapping")
    return {"name": item.name, "sha256": item.sha256, "text": info.mapping_text}


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
    entire = (complaints["forwarded"] == "entire").to_numpy(dtype=bool, na_value=False)
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
    chosen = counted & closed_in(complaints["closed_date"], period).to_numpy()
    frame = complaints.loc[chosen, ["complaint_id", "firm_frn", "received_date", "closed_date"]]  # not every column
    return pd.DataFrame(
        {  # text stays in Arrow: a Python string per complaint, made and parsed back, cost half a second
            "complaint_id": text_of(frame["complaint_id"]).array,
            "firm_frn": text_of(frame["firm_frn"]).array,
            "days_to_close": (frame["closed_date"] - frame["received_date"]).dt.days.astype("int64").to_numpy(),
        }
    )


COMPLAINT_FACTS_SUFFIX = "-complaints"
"""facts/<stem>-complaints.parquet: per complaint of a return's lineage, what the drill-down page lists."""

COMPLAINT_FACT_COLUMNS = [
    "complaint_id",
    "firm_frn",
    "received",
    "closed",
    "business_days_to_close",
    "band",
    "upheld_reason",
    "redress_counted_gbp",
    "redress_left_out_gbp",
    "redress_left_out_rule",
]
"""No adviser identifier and no other personal data: a complaint is named by its id and firm only."""

UNITS_PER_POUND = 10_000
"""Redress lines are held in integer units of 1/10,000 pound (reportkit.classify)."""

UPHELD_CITATION = {"annex1ad": "DISP 1.10B.8G(2)"}
"""Where the return's upheld definition is; Annex 1, 1AB and 1C follow DISP 1.10.3G(2)."""

LEFT_OUT_RULES: dict[str, dict[str, str]] = {
    "annex1": {"premium_refund_in_error": "premium refund taken in error is not redress (DISP 1.10.3G(4))"},
    "annex1ad": {
        "premium_refund_in_error": "premium refund taken in error is not redress (DISP 1.10B.8G(4))",
        "payment_transaction_amount": "the amount of the payment transaction is not redress (DISP 1.10B.8G(4))",
    },
}
"""Why a redress line of a type the return does not count is left out (the taxonomy's redress_types flags)."""


def _redress_flag(code: str) -> str:
    """DISP 1.10B.8G(4): Annex 1AD leaves out the transaction amount; the others follow DISP 1.10.3G(4)."""
    return "counts_1ad" if code == "annex1ad" else "counts_annex1"


def upheld_reasons(complaints: pd.DataFrame, period: Period, code: str) -> pd.Series:
    """Why each complaint counts as upheld or not at the period end (DISP 1.10.3G(2), 1.10B.8G(2)): a
    complaint still open then has no decision yet."""
    cite = UPHELD_CITATION.get(code, "DISP 1.10.3G(2)")
    outcome = complaints["outcome"]

    def is_(value: str) -> np.ndarray:  # compared as stored (categorical or text), a missing outcome is no match
        return (outcome == value).to_numpy(dtype=bool, na_value=False)

    goodwill = complaints["goodwill_payment"].fillna(False).astype(bool).to_numpy()
    open_at_end = (complaints["closed_date"].isna() | (complaints["closed_date"] > pd.Timestamp(period.end))).to_numpy()
    conditions = [
        open_at_end,
        is_("upheld"),
        is_("partially_upheld"),
        is_("no_decision") & goodwill,
        is_("no_decision"),
        is_("not_upheld") & goodwill,
    ]
    reasons = np.array(
        [
            "open at the period end: no decision yet",
            "upheld",
            f"partially_upheld counts as upheld ({cite})",
            f"no_decision with a goodwill payment counts as upheld ({cite})",
            "no_decision without a goodwill payment: not upheld",
            f"not_upheld: a goodwill payment does not make a rejected complaint upheld ({cite})",
            "not_upheld",
        ],
        dtype=object,
    )
    # The number of the first condition that holds (the last reason when none does), then its text.
    which = np.select(conditions, range(len(conditions)), default=len(conditions))
    # Taken from the seven texts in Arrow: not a Python string per complaint.
    text = pa.array(reasons, pa.large_string()).take(pa.array(which)).to_pandas()
    text.index = complaints.index
    return text


def business_days_to_close(complaints: pd.DataFrame) -> pd.Series:
    """Business days from the day after receipt to closure on each complaint's firm's nation (DISP 1.5.1R,
    1.6.2AR count in these), <NA> while open; one vectorised count per nation (at most four)."""
    result = pd.Series(pd.NA, index=complaints.index, dtype="Int64")
    closed = complaints["closed_date"].notna().to_numpy()
    nations = complaints["nation"]  # compared as stored: a categorical by its categories
    received_days = complaints["received_date"].to_numpy(dtype="datetime64[D]")
    closed_days = complaints["closed_date"].to_numpy(dtype="datetime64[D]")
    for nation in pd.unique(nations[closed]):
        rows = closed & (nations == nation).to_numpy(dtype=bool, na_value=False)
        result[rows] = business_days_after(received_days[rows], closed_days[rows], str(nation))
    return result


def _left_out_rules(lines: pd.DataFrame, code: str) -> pd.Series:
    """Per complaint_row, the rules that left its redress lines out, "; "-joined in a fixed order."""
    rules_by_type = LEFT_OUT_RULES["annex1ad" if code == "annex1ad" else "annex1"]
    kinds = lines[["complaint_row", "redress_type"]].drop_duplicates().sort_values(["complaint_row", "redress_type"])
    kinds["rule"] = kinds["redress_type"].astype(str).map(rules_by_type).fillna("not redress")
    return kinds.groupby("complaint_row")["rule"].agg("; ".join)


def lineage_rows(complaints: pd.DataFrame, lineage: pd.DataFrame) -> np.ndarray:
    """The positions in `complaints` of the complaints in a return's lineage, in extract order, each once."""
    # The lineage's index holds its complaints' row labels in `complaints` (reportkit.aggregate.lineage_frame).
    # A mark per row rather than a sort of millions of lineage rows.
    positions = complaints.index.get_indexer(pd.unique(lineage.index.to_numpy()))
    marked_rows = np.zeros(len(complaints), dtype=bool)
    marked_rows[positions[positions >= 0]] = True
    return np.flatnonzero(marked_rows)


def facts_basis(document: dict[str, Any]) -> tuple:
    """Everything beside its complaints that a return's complaint facts depend on (complaint_facts): two returns
    with the same basis and the same complaints have the same facts (Annex 1B and the Annex 1 it summarises)."""
    code = document["return"]
    return (
        document["period"]["start"],
        document["period"]["end"],
        "band_1ad" if code == "annex1ad" else "band_annex1",
        _redress_flag(code),
        UPHELD_CITATION.get(code, "DISP 1.10.3G(2)"),
        "annex1ad" if code == "annex1ad" else "annex1",  # the LEFT_OUT_RULES it explains with
    )


def complaint_facts(
    complaints: pd.DataFrame, lines: pd.DataFrame, document: dict[str, Any], rows: np.ndarray, attribution: str
) -> pd.DataFrame:
    """What the drill-down page lists for every complaint at `rows` of `complaints` (a return's lineage_rows), in
    extract order: dates, business days to close, band, why upheld or not, and redress counted and left out with
    the rule.

    Redress follows the run's attribution (closed_in_period or paid_in_period), so "counted" is exactly what
    the return's redress cells add up (DISP 1.10.3G(3)-(4), 1.10B.8G(3)-(4))."""
    code = document["return"]
    period = _period_of(document)
    used = ["complaint_id", "firm_frn", "received_date", "closed_date", "nation", "outcome", "goodwill_payment"]
    band_column = "band_1ad" if code == "annex1ad" else "band_annex1"
    frame = complaints[[*used, band_column]].iloc[rows]  # only the columns the facts show
    flag = _redress_flag(code)
    marked = lines.assign(left_out=~lines[flag].astype(bool))
    counted = redress_per_complaint(frame, marked, period, attribution, flag)  # type: ignore[arg-type]
    left_out = redress_per_complaint(frame, marked, period, attribution, "left_out")  # type: ignore[arg-type]
    why = _left_out_rules(marked[marked["left_out"]], code).astype("str").reindex(frame.index)  # text, not objects
    return pd.DataFrame(
        {
            # Text stays in Arrow arrays and dates are formatted once per distinct day: a market-sized return
            # lists millions of complaints, and a Python string each would cost gigabytes.
            "complaint_id": text_of(frame["complaint_id"]).array,
            "firm_frn": text_of(frame["firm_frn"]).array,
            "received": by_value(frame["received_date"], _iso_dates).array,
            "closed": by_value(frame["closed_date"], _iso_dates).array,
            "business_days_to_close": business_days_to_close(frame).array,
            "band": text_of(frame[band_column]).array,
            "upheld_reason": upheld_reasons(frame, period, code).array,
            "redress_counted_gbp": (counted / UNITS_PER_POUND).round(2).to_numpy(),
            "redress_left_out_gbp": (left_out / UNITS_PER_POUND).round(2).to_numpy(),
            "redress_left_out_rule": why.where(left_out > 0).array,
        },
        columns=COMPLAINT_FACT_COLUMNS,
    )


def _iso_dates(days: pd.Series) -> pd.Series:
    return days.dt.strftime("%Y-%m-%d").astype("str")


def write_run_document(
    folder: Path,
    info: RunInfo,
    config: Config,
    results: list[ReturnResult],
    complaints: pd.DataFrame,
    tie_outs: list[TieOut] | None = None,
) -> None:
    """run.json: the run's facts, tie-outs and reconciliations (all the validation page needs beside
    validation/)."""
    document = run_document(info, config, results, tie_outs, complaints)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    (folder / RUN_FILE).write_text(text, encoding="utf-8")


FactsWritten = dict[tuple, tuple[np.ndarray, Path]]
"""The complaint facts files a run has written, by basis (facts_basis): the rows they list and the file."""


def write_return_facts(
    folder: Path,
    config: Config,
    result: ReturnResult,
    complaints: pd.DataFrame,
    lines: pd.DataFrame | None,
    written: FactsWritten | None = None,
) -> None:
    """facts/<stem>.parquet for a charted return (what its page charts) and, given the redress lines,
    facts/<stem>-complaints.parquet for a non-nil return with lineage (the complaints its drill-down lists).

    With `written` (the run's facts files so far), a return whose facts are those of a file already written (the
    same basis and complaints: Annex 1B beside its Annex 1, 1.8 million complaints on a market-sized run) gets a
    copy of that file, the same bytes its own facts would give, instead of working them out again."""
    if result.code in CHARTED_RETURNS and not result.document["nil_return"]:
        (folder / FACTS_FOLDER).mkdir(parents=True, exist_ok=True)
        facts = days_to_close_facts(complaints, result.document)
        facts.to_parquet(folder / FACTS_FOLDER / f"{result.stem}.parquet", index=False)
    if lines is not None and not result.document["nil_return"] and len(result.lineage):
        (folder / FACTS_FOLDER).mkdir(parents=True, exist_ok=True)
        target = folder / FACTS_FOLDER / f"{result.stem}{COMPLAINT_FACTS_SUFFIX}.parquet"
        rows, basis = lineage_rows(complaints, result.lineage), facts_basis(result.document)
        same = (written or {}).get(basis)
        if same is not None and np.array_equal(same[0], rows):
            shutil.copyfile(same[1], target)
            return
        facts = complaint_facts(complaints, lines, result.document, rows, config.redress_attribution)
        facts.to_parquet(target, index=False)
        if written is not None:
            written[basis] = (rows, target)
