"""Tie-outs: figures of the built returns that must agree with each other and with an independent count.

Checked on every run, after the returns are built and before anything is written. A tie-out that must hold
and does not fails the run (exit code 3, `TieOutFailed`): a return whose own figures disagree is never
published. Each result keeps both figures, so the review page can show them with PASS or FAIL. Comparisons
that may legitimately differ (Annex 1AD against the payment-service complaints in Annex 1) are shown, never
failing, with the reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from reportkit.calendar import Period
from reportkit.config import Config, Firm
from reportkit.distinct import text_of
from reportkit.errors import ReportkitError
from reportkit.returns.common import BuildInputs, ReturnResult
from reportkit.rules import (
    ANNEX1_BANDS,
    ANNEX1AD_BANDS,
    part_a_variant,
    publication_required,
    publication_threshold,
)


class TieOutFailed(ReportkitError):
    """A figure of the built returns disagrees with another that must equal it."""

    exit_code = 3


@dataclass(frozen=True)
class TieOut:
    """One comparison of two figures."""

    stem: str
    check: str
    """What must agree, in words."""
    left: Any
    right: Any
    must_hold: bool = True
    why_they_may_differ: str = ""

    @property
    def passed(self) -> bool:
        return self.left == self.right

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def _cells(table: dict[str, dict[str, Any]], columns: tuple[str, ...] | None = None) -> int:
    """Sum of a table's non-blank cells (only `columns` when given)."""
    return int(sum((v or 0) for row in table.values() for c, v in row.items() if columns is None or c in columns))


def _period(document: dict[str, Any]) -> Period:
    return Period(dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"]))


def open_at_end(complaints: pd.DataFrame, scope: pd.Series, end: dt.date) -> int:
    """Complaints in scope received by the period end and not closed by it, counted from the complaints
    themselves rather than from the return (DISP 1.10.7R)."""
    last = pd.Timestamp(end)
    received = complaints["received_date"] <= last
    still_open = complaints["closed_date"].isna() | (complaints["closed_date"] > last)
    return int((scope & received & still_open).sum())


SCOPE_AND_TABLES: dict[str, tuple[str, Any]] = {
    # return -> (how its complaints are selected, how its closed total is read from the document)
    "annex1": ("part_a", lambda d: _cells(d["tables"].get("2") or d["tables"].get("5", {}), ANNEX1_BANDS)),
    "annex1ab": ("cmc", lambda d: int(d["tables"]["2"]["closed_total"]["value"] or 0)),
    "annex1ad": ("payment", lambda d: _cells(d["tables"]["2"], ANNEX1AD_BANDS)),
}


def _scope(complaints: pd.DataFrame, kind: str, frns: list[str]) -> pd.Series:
    firms = complaints["firm_frn"].isin(frns)
    if kind == "payment":
        return firms & complaints["in_scope_1ad"]
    if kind == "part_b":  # credit-related complaints about no Part A product
        part_b = complaints["product"].isna() & complaints["credit_activity"].notna()
        return firms & complaints["in_scope_annex1"] & part_b
    column = {"part_a": "product", "cmc": "cmc_claim_type", "adviser": "adviser_key"}[kind]
    return firms & complaints["in_scope_annex1"] & complaints[column].notna()


def _opened_table(document: dict[str, Any]) -> int:
    tables = document["tables"]
    if document["return"] == "annex1":
        return _cells(tables.get("1") or tables.get("4", {}))
    if document["return"] == "annex1ab":
        return _cells({"total": tables["1"]["total"]})
    return _cells(tables["1"])


def return_tieouts(result: ReturnResult, complaints: pd.DataFrame) -> list[TieOut]:
    """The tie-outs of one return's own figures (Annex 1 Part A, 1AB, 1AD; nil returns have none)."""
    document, stem = result.document, result.stem
    if document["return"] not in SCOPE_AND_TABLES or document["nil_return"]:
        return []
    header = document["header"]
    kind, closed_of = SCOPE_AND_TABLES[document["return"]]
    scope = _scope(complaints, kind, document["firms"])
    checks = [
        TieOut(stem, "header opened = sum of the opened table (Table 1; Annex 1 A-2: Table 4)", header["opened"],
               _opened_table(document)),
        TieOut(stem, "outstanding at start + opened - closed = still open at the period end (counted afresh)",
               header["outstanding_at_start"] + header["opened"] - closed_of(document),
               open_at_end(complaints, scope, _period(document).end)),
    ]  # fmt: skip
    if document["return"] == "annex1":
        table_b = document["tables"]["B"]
        part_b = _cells(table_b, ("received",))
        checks += [
            TieOut(stem, "Part A-1/A-2 follows Part A + Part B received (DISP 1.10.2R)", header["part_a"],
                   part_a_variant(header["opened"] + part_b)),
            TieOut(stem, "Part B: outstanding at start + received - closed = still open at the period end (counted "
                   "afresh)", _cells(table_b, ("outstanding_at_start", "received")) - _cells(table_b, ("closed",)),
                   open_at_end(complaints, _scope(complaints, "part_b", document["firms"]), _period(document).end)),
        ]  # fmt: skip
    return checks


def publication_tieout(result: ReturnResult, reporting_firm: Firm) -> list[TieOut]:
    """Annex 1: the publication-consent question is asked exactly when Part A + Part B received reach the
    publication threshold (DISP 1.10A.1R; 1,000 for (1A) firms), counted from the return's own figures."""
    document = result.document
    if document["return"] != "annex1" or document["nil_return"]:
        return []
    header = document["header"]
    received = header["opened"] + _cells(document["tables"]["B"], ("received",))
    threshold = publication_threshold(reporting_firm.annual_reporter)
    return [
        TieOut(result.stem, f"publication consent asked when Part A + Part B received reach {threshold} "
               "(DISP 1.10A.1R)", header["publication_consent"] is not None,
               publication_required(received, reporting_firm.annual_reporter)),
    ]  # fmt: skip


def summary_tieouts(summary: ReturnResult, source: ReturnResult) -> list[TieOut]:
    """Annex 1B's opened (and, for product groups, closed) per row equal its source return's figures."""
    rows = summary.document["tables"]["1B"]
    if source.code == "annex1ab":
        total = source.document["tables"]["1"]["total"]
        return [
            TieOut(summary.stem, f"{code}: opened = Annex 1AB Table 1 total row", cells["opened"], total.get(code))
            for code, cells in rows.items()
        ]
    tables = source.document["tables"]
    by_group = "1" in tables
    opened_table, closed_table = (tables["1"], tables["2"]) if by_group else (tables["4"], tables["5"])
    parents = _product_groups() if not by_group else {code: code for code in opened_table}
    checks = []
    for group, cells in rows.items():
        members = [code for code, parent in parents.items() if parent == group]
        has = any(any(v is not None for v in opened_table.get(m, {}).values()) for m in members)
        opened = sum(_cells({m: opened_table[m]}) for m in members if m in opened_table) if has else None
        closed = sum(_cells({m: closed_table[m]}, ANNEX1_BANDS) for m in members if m in closed_table) if has else None
        checks.append(TieOut(summary.stem, f"{group}: opened = Annex 1", cells["opened"], opened))
        checks.append(TieOut(summary.stem, f"{group}: closed = Annex 1", cells["closed"], closed))
    return checks


def _product_groups() -> dict[str, str]:
    from reportkit.taxonomy import load_taxonomy

    return load_taxonomy().parents["part_a_products"]


JOINT_SCOPES: dict[str, str] = {"annex1": "part_a", "annex1ab": "cmc", "annex1ad": "payment", "annex1c": "adviser"}
"""Which complaints a joint return's header counts (the `_scope` kind), per return that can be reported jointly."""


def member_counts(complaints: pd.DataFrame, kind: str, frns: list[str], period: Period) -> pd.DataFrame:
    """Each member's complaints opened in the period and outstanding at its start, counted afresh from its own
    complaints (plain date comparisons, not the builders' period facts), in one pass grouped by firm.

    Returns:
        One row per FRN of `frns` (0 for a member without complaints), columns opened, outstanding_at_start.
    """
    scope = _scope(complaints, kind, frns).to_numpy(dtype=bool)
    received, closed = complaints["received_date"][scope], complaints["closed_date"][scope]
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    counts = pd.DataFrame(
        {
            "opened": ((received >= start) & (received <= end)).to_numpy(dtype="int64"),
            "outstanding_at_start": ((received < start) & (closed.isna() | (closed >= start))).to_numpy(dtype="int64"),
        }
    )
    firm = text_of(complaints["firm_frn"][scope]).to_numpy()
    return counts.groupby(firm).sum().reindex(frns, fill_value=0)


def _joint_figure(document: dict[str, Any], key: str) -> int:
    """A joint return's opened or outstanding at start; Annex 1C has no such header answers, so its opened is
    the sum of its `received` column."""
    if document["return"] == "annex1c":
        return _cells(document["tables"]["1C"], ("received",))
    return int(document["header"][key] or 0)


def joint_tieouts(result: ReturnResult, inputs: BuildInputs) -> list[TieOut]:
    """A joint return equals the sum of its members computed alone (DISP 1.10.1CR: the joint report is all the
    members' complaints together). Each member's figures are counted afresh from its own complaints
    (member_counts), so the check is independent of how the builder combined them; tests also build each member
    alone with the builders and compare every cell."""
    document = result.document
    if not document["header"].get("group_reporting") or document["nil_return"]:
        return []
    alone = member_counts(inputs.complaints, JOINT_SCOPES[result.code], inputs.frns, inputs.period)
    keys = ("opened",) if result.code == "annex1c" else ("opened", "outstanding_at_start")
    return [
        TieOut(result.stem, f"joint {key} = sum of the members computed alone", _joint_figure(document, key),
               int(alone[key].sum()))
        for key in keys
    ]  # fmt: skip


def payment_comparison(annex1ad: ReturnResult, complaints: pd.DataFrame) -> TieOut:
    """Shown, never failing: Annex 1AD opened against the Annex 1 complaints with a payment service."""
    period = _period(annex1ad.document)
    scope = _scope(complaints, "part_a", annex1ad.document["firms"]) | (
        complaints["firm_frn"].isin(annex1ad.document["firms"])
        & complaints["in_scope_annex1"]
        & complaints["credit_activity"].notna()
    )
    received = complaints["received_date"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))
    in_annex1 = int((scope & received & complaints["payment_service"].notna()).sum())
    return TieOut(
        annex1ad.stem,
        "Annex 1AD opened against Annex 1 complaints with a payment service, over the Annex 1AD period",
        annex1ad.document["header"]["opened"],
        in_annex1,
        must_hold=False,
        why_they_may_differ="Annex 1AD is yearly, counts payment service users who are not eligible complainants "
        "and lists at most five services (DISP 1.1.3AD, DISP 1 Annex 1AA)",
    )


def check_tieouts(
    results: list[ReturnResult],
    complaints: pd.DataFrame,
    redress_lines: pd.DataFrame,
    context: pd.DataFrame | None,
    config: Config,
) -> list[TieOut]:
    """Every tie-out of a run's returns, from the classified complaints they were built from.

    Raises:
        TieOutFailed: a tie-out that must hold does not; the message names each with both figures.
    """
    by_stem = {r.stem: r for r in results}
    found: list[TieOut] = []
    for result in results:
        firms = [config.firm(frn) for frn in result.document["firms"]]
        inputs = BuildInputs(complaints, redress_lines, context, config, firms, _period(result.document))
        found += return_tieouts(result, complaints)
        found += publication_tieout(result, firms[0])
        found += joint_tieouts(result, inputs)
        if result.code == "annex1b":
            for source_code in ("annex1", "annex1ab"):
                source = by_stem.get(result.stem.replace("annex1b", source_code, 1))
                if source is not None:
                    found += summary_tieouts(result, source)
                    break
        if result.code == "annex1ad" and not result.document["nil_return"]:
            found.append(payment_comparison(result, complaints))
    failed = [t for t in found if t.must_hold and not t.passed]
    if failed:
        listed = "; ".join(f"{t.stem}: {t.check}: {t.left} vs {t.right}" for t in failed)
        raise TieOutFailed(f"{len(failed)} tie-out(s) failed, so no return is published: {listed}")
    return found
