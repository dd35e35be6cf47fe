"""`reportkit explain RUN_DIR --complaint ID [--frn FRN]`: where one complaint was counted in a run, and why.

Where it was counted comes from the run folder alone: lineage/<stem>.csv (or .parquet) lists, for every non-blank
cell, the complaints behind it; the layout of the return says which per-complaint fact (rule) the cell sums.
Why a complaint was left out of a return needs per-complaint facts the run folder does not keep (eligibility,
forwarding, dates, service), so those are re-derived from the inputs the manifest names, after checking their
sha256, with the same reportkit functions the run used (reportkit.api.prepare). Adviser identifiers (Annex 1C
rows) are never printed: each shows as a short one-way hash.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit import api
from reportkit.calendar import Period
from reportkit.errors import InputError
from reportkit.layouts import document_layout, row_names
from reportkit.measures import closed_in, opened, outstanding_at_start
from reportkit.rundir import check_inputs, open_run
from reportkit.safecsv import FORMULA_TRIGGERS, NEUTRALISER
from reportkit.taxonomy import load_taxonomy

MEASURE_RULES: dict[str, tuple[str, str]] = {
    "opened": ("opened: received in the period", "DISP 1.10.7R"),
    "received": ("received in the period", "DISP 1.10.7R"),
    "outstanding_at_start": ("outstanding at the period start", "DISP 1.10.7R"),
    "closed": ("closed in the period (final response sent or acceptance in writing)", "DISP 1.10.7R"),
    "closed_within_3_days": ("closed_within_3_days: by the end of the 3rd business day after receipt", "DISP 1.5.1R"),
    "closed_3_days_to_8_weeks": ("closed after 3 business days, within 8 weeks", "DISP 1.6.2R"),
    "closed_after_8_weeks": ("closed after more than 8 weeks", "DISP 1.6.2R"),
    "closed_within_15_business_days": ("closed within 15 business days after the day of receipt", "DISP 1.6.2AR"),
    "closed_16_to_35_business_days": ("closed within 16 to 35 business days after the day of receipt", "DISP 1.6.2AR"),
    "closed_after_35_business_days": ("closed more than 35 business days after the day of receipt", "DISP 1.6.2AR"),
    "upheld": ("upheld: upheld in whole or in part, closed in the period", "DISP 1.10.3G(2)"),
    "redress": ("redress: payments and costs that count as redress", "DISP 1.10.3G(3)-(4)"),
    "redress_upheld": ("redress paid for an upheld complaint", "DISP 1.10.3G(3)-(4)"),
    "redress_not_upheld": ("redress paid for a complaint not upheld", "DISP 1.10.3G(3)-(4)"),
}
"""Each per-complaint fact a cell sums (reportkit.measures), in words, with the DISP paragraph that defines it."""

ANNEX1AD_PARAGRAPHS: dict[str, str] = {
    "opened": "DISP 1.10B.7D(1)",
    "received": "DISP 1.10B.7D(1)",
    "closed": "DISP 1.10B.7D(2)(a)",
    "upheld": "DISP 1.10B.8G(2)",
    "redress": "DISP 1.10B.8G(3)-(4)",
    "redress_upheld": "DISP 1.10B.8G(3)-(4)",
    "redress_not_upheld": "DISP 1.10B.8G(3)-(4)",
}
"""Annex 1AD's own paragraphs for the facts it shares with Annex 1 (received, closed, upheld, redress)."""

SUBJECT: dict[str, tuple[str, str, str]] = {
    "annex1": ("product", "credit_activity", "not about a product (Part A) or credit activity (Part B) (DISP 1.10.2R)"),
    "annex1b": ("product", "credit_activity", "not about a product or credit activity Annex 1 counts (DISP 1.10A.1R)"),
    "annex1ab": ("cmc_claim_type", "cmc_claim_type", "not about claims management activity (DISP 1.10.1R(3)(b))"),
    "annex1c": ("adviser_key", "adviser_key", "not about an identified adviser (DISP 1.10.2AR(1))"),
    "annex1ad": ("payment_service", "payment_service", "not about a payment service or e-money (DISP 1.10B.2G)"),
}
"""Per return: the column(s) a complaint needs a value in to be counted, and the reason when it has none."""


@dataclass(frozen=True)
class Placement:
    """A cell that counts the complaint."""

    stem: str
    table: str
    row: str
    column: str
    rule: str
    paragraph: str

    def line(self) -> str:
        return f"  table {self.table}, row {self.row}, column {self.column}: {self.rule} ({self.paragraph})"


@dataclass
class ReturnExplanation:
    """One return of the run for one complaint: the cells that count it, or why it is left out."""

    stem: str
    title: str
    placements: list[Placement] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    summarises: str | None = None
    """For an Annex 1B summary of a run made before summaries kept lineage (an earlier reportkit): the return it
    summarises, where that counts the complaint."""

    def lines(self) -> list[str]:
        if self.summarises:
            return [
                f"{self.stem} ({self.title}): counted through {self.summarises}, whose totals it summarises "
                "(DISP 1.10A.1R, DISP 1 Annex 1BR)"
            ]
        if self.placements:
            return [f"{self.stem} ({self.title}): counted in {len(self.placements)} cell(s)"] + [
                p.line() for p in self.placements
            ]
        return [f"{self.stem} ({self.title}): left out: " + "; ".join(self.left_out)]


@dataclass
class Explanation:
    """Every return of a run for one complaint (one firm's complaint: ids are unique per firm)."""

    complaint_id: str
    frn: str
    facts: str
    returns: list[ReturnExplanation]

    def lines(self) -> list[str]:
        return [f"complaint {self.complaint_id} of firm {self.frn}: {self.facts}"] + [
            line for item in self.returns for line in item.lines()
        ]


def read_lineage(folder: Path) -> dict[str, pd.DataFrame]:
    """stem -> lineage of every lineage file of the run, Parquet preferred to CSV; ids as plain text."""
    found: dict[str, pd.DataFrame] = {}
    for path in sorted((folder / "lineage").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in ("complaint_id", "firm_frn", "row", "column", "table"):
            if column in frame:  # undo the apostrophe write_safe_csv puts before a formula trigger
                text = frame[column]
                risky = text.str.startswith(NEUTRALISER) & text.str[1:2].isin(list(FORMULA_TRIGGERS))
                frame[column] = text.where(~risky, text.str[1:])
        found[path.stem] = frame
    for path in sorted((folder / "lineage").glob("*.parquet")):
        found[path.stem] = pd.read_parquet(path).astype(str)
    return found


def _rule(document: dict[str, Any], table: str, row: str, column: str) -> tuple[str, str]:
    """The fact a cell sums, in words with its paragraph, from the return's layout."""
    spec = document_layout(document).tables.get(table)
    measure = None
    if spec is not None:
        measure = next((c.measure for c in spec.columns if c.code == column), None)
    for candidate in (measure, column, row):  # Annex 1AB Table 2 names its measure by row
        if candidate in MEASURE_RULES:
            words, paragraph = MEASURE_RULES[candidate]
            if document["return"] == "annex1ad":
                paragraph = ANNEX1AD_PARAGRAPHS.get(candidate, paragraph)
            return words, paragraph
    return (f"counted as {measure or column}", "DISP 1 Annex " + document["return"].removeprefix("annex").upper())


def _placements(stem: str, document: dict[str, Any], lineage: pd.DataFrame | None, frn: str, cid: str):
    if lineage is None or not len(lineage):
        return []
    mine = lineage[(lineage["complaint_id"] == cid) & (lineage["firm_frn"] == frn)]
    layout = document_layout(document)
    placements = []
    for table, row, column in mine[["table", "row", "column"]].itertuples(index=False, name=None):
        spec = layout.tables.get(str(table))
        shown = str(row)
        if spec is not None and spec.row_dimension == "adviser_key":  # personal data: its pseudonym, never the key
            shown = row_names(document, str(table)).get(str(row), "an adviser not in the return's table")
        placements.append(Placement(stem, str(table), shown, str(column), *_rule(document, str(table), row, column)))
    return placements


def _left_out(stem: str, document: dict[str, Any], complaint: pd.Series) -> list[str]:
    """Why a return counts none of a complaint's cells (every reason that applies, scope before period)."""
    code = document["return"]
    frn = str(complaint["firm_frn"])
    if document["nil_return"] and "--nil-" in stem:  # a member's nil return; a firm's own nil return falls through
        return [
            f"a member's nil return (firm {document['reporting_firm']}) counts no complaints: the group's joint "
            "return reports its complaints (DISP 1.10.1CR)"
        ]
    if frn not in document["firms"]:
        return [f"another firm: the complaint is firm {frn}'s, this return covers {', '.join(document['firms'])}"]
    reasons = []
    entirely_forwarded = str(complaint["forwarded"]) == "entire"
    eligible = bool(complaint["eligible_complainant"])
    if code == "annex1ad":
        if entirely_forwarded:
            reasons.append("forwarded in its entirety to another respondent (DISP 1.10.1AR, 1.10B.3D)")
        service = complaint["payment_service"]
        eligible_only = load_taxonomy().eligible_only_payment_services()
        if pd.notna(service) and str(service) in eligible_only and not eligible:
            reasons.append(
                "issuing or redemption of e-money from a complainant who is not an eligible complainant "
                "(DISP 1.1.3AD(2))"
            )
    else:
        if entirely_forwarded:
            reasons.append("forwarded in its entirety to another respondent (DISP 1.10.1AR)")
        if not eligible:
            reasons.append("not from an eligible complainant (DISP 1.10.1R)")
    first, second, why = SUBJECT.get(code, ("complaint_id", "complaint_id", ""))
    if pd.isna(complaint[first]) and pd.isna(complaint[second]):
        reasons.append(why)
    start, end = (dt.date.fromisoformat(document["period"][key]) for key in ("start", "end"))
    period = Period(start, end)
    one = complaint.to_frame().T
    received, closed = pd.to_datetime(one["received_date"]), pd.to_datetime(one["closed_date"])
    touches = bool(opened(received, period).iloc[0] or closed_in(closed, period).iloc[0])
    if not touches:
        when = f"received {_day(complaint['received_date'])}, closed {_day(complaint['closed_date'])}"
        if bool(outstanding_at_start(received, closed, period).iloc[0]):
            reasons.append(
                f"neither received nor closed in the period {period.start} to {period.end} ({when}): only in the "
                "count of complaints outstanding at the period start (DISP 1.10.7R)"
            )
        else:
            reasons.append(f"outside the period {period.start} to {period.end}: {when} (DISP 1.10.7R)")
    return reasons or ["in scope and in the period, but in no non-blank cell (its row is blank: not declared business)"]


def _summarised(stem: str) -> list[str]:
    """The stems an Annex 1B summary of this stem can summarise: Annex 1, or Annex 1AB for a CMC-only firm."""
    return [stem.replace("annex1b", code, 1) for code in ("annex1", "annex1ab")]


def counted_in(items: list[ReturnExplanation]) -> set[str]:
    return {item.stem for item in items if item.placements}


def _day(value: Any) -> str:
    return "not yet" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _facts(complaint: pd.Series) -> str:
    """The complaint's facts the rules read, without personal data."""
    return (
        f"received {_day(complaint['received_date'])}, closed {_day(complaint['closed_date'])}, "
        f"outcome {complaint['outcome'] if pd.notna(complaint['outcome']) else 'none'}, "
        f"eligible complainant {'yes' if bool(complaint['eligible_complainant']) else 'no'}, "
        f"forwarded {complaint['forwarded'] if pd.notna(complaint['forwarded']) else 'no'}"
    )


def explain(folder: Path, complaint_id: str, frn: str | None = None) -> list[Explanation]:
    """For every return of the run in `folder`, where complaint `complaint_id` was counted or why not.

    One Explanation per firm whose extract rows carry that id (`frn` picks one).

    Raises:
        InputError: not a run folder, or no complaint with that id (of that firm) in the extract the run read.
        InputChanged: an input named in the manifest is missing or its sha256 differs (exit 5).
    """
    run = open_run(folder)
    paths = check_inputs(run)
    prepared = api.prepare(
        api.InputPaths.of(paths["config"], paths["complaints"], paths.get("redress"), paths.get("context")),
        check=False,
    )
    complaints = prepared.complaints
    ids = complaints["complaint_id"].astype(str)
    rows = complaints[(ids == str(complaint_id)).to_numpy()]
    name = paths["complaints"].name
    if not len(rows):
        raise InputError(
            f"complaint {complaint_id!r} is not in the extract {name} the run read ({len(complaints):,} complaints): "
            "check the complaint_id; no return of the run counts it"
        )
    if frn is not None:
        rows = rows[(rows["firm_frn"].astype(str) == str(frn)).to_numpy()]
        if not len(rows):
            raise InputError(
                f"complaint {complaint_id!r} is in {name}, but not for firm {frn}: drop --frn or give one of "
                f"{', '.join(sorted(set(complaints.loc[ids == str(complaint_id), 'firm_frn'].astype(str))))}"
            )
    documents = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((Path(folder) / "returns").glob("*.json"))
    }
    lineage = read_lineage(Path(folder))
    explanations = []
    for _, complaint in rows.iterrows():  # one row per firm using the id (ids are unique per firm): a handful
        own_frn = str(complaint["firm_frn"])
        items = []
        for stem, document in documents.items():
            title = document_layout(document).title
            placements = _placements(stem, document, lineage.get(stem), own_frn, str(complaint_id))
            left = [] if placements else _left_out(stem, document, complaint)
            items.append(ReturnExplanation(stem, title, placements, left))
        for item in items:  # a summary from a run made before summaries kept lineage: what its source counts
            if documents[item.stem]["return"] == "annex1b" and not item.placements and item.stem not in lineage:
                source = next((s for s in _summarised(item.stem) if s in counted_in(items)), None)
                if source is not None:
                    item.summarises, item.left_out = source, []
        explanations.append(Explanation(str(complaint_id), own_frn, _facts(complaint), items))
    return explanations
