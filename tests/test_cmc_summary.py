"""The complaints data summary of a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa), (b),
(3)): the `annex1b` return by type of claim, built from the Annex 1AB complaints, at 1,000 or more complaints."""

from __future__ import annotations

import datetime as dt
import functools
import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from reportkit import api, cli
from reportkit.publication import render_page, summary_frame
from reportkit.runner import run
from reportkit.views import return_headline, table_frame
from reportkit.workbook import write_workbook
from tests.conftest import FIRM, Workspace, complaint
from tests.test_other_returns import CMC as OTHER_RETURNS_CMC
from tests.test_workbook import read_header, read_tables

YEAR_END = dt.date(2025, 12, 31)
CMC = {**OTHER_RETURNS_CMC, "trading_names": ["ClaimIt"]}
LAYOUT_LINE = (
    "DISP 1 Annex 1B has no rows for claims management, so the row layout of this summary (one row per type of "
    "claim) is reportkit&#x27;s own"
)
NULL_ROW = {
    "opened": None,
    "closed": None,
    "pct_closed_within_3_days": None,
    "pct_closed_3_days_to_8_weeks": None,
    "pct_upheld": None,
    "main_cause": None,
    "main_cause_label": None,
}


def cmc(cid: str, received: str, closed: str | None = None, outcome: str | None = None, **extra) -> dict:
    """A claims management complaint of the CMC firm (financial services claim, upfront fees, unless told)."""
    values = {"cmc_claim_type": "financial_services", "cmc_focus": "upfront_fees", "firm_frn": "200001", **extra}
    return complaint(cid, received, closed, outcome, product="", cause="", **values)


def many(prefix: str, count: int, received: str, closed: str | None = None, outcome: str | None = None, **extra):
    return [cmc(f"{prefix}{i}", received, closed, outcome, **extra) for i in range(count)]


def build(ws, rows, firms=None, entity="200001", **kwargs) -> api.Built:
    prepared = api.prepare(ws.paths(rows, firms=firms or [CMC], **kwargs))
    return api.build_all(prepared, entity, YEAR_END)


def documents(built: api.Built) -> dict[str, dict]:
    return {r.stem: r.document for r in built.results}


def pinned_rows() -> list[dict]:
    """1,000 complaints opened in 2025 plus one outstanding at the start, with figures worked out by hand.

    financial_services: 600 opened on Monday 3 March 2025; 300 closed the next day upheld (within 3 business
    days), 200 closed on 10 April not upheld (38 days: within 8 weeks), 100 still open; plus one received in
    December 2024 closed on 20 March upheld (closed, not opened). Focus: 350 upfront fees, 250 claim outcome.
    personal_injury: 400 opened on 2 June, closed on 29 August (88 days: after 8 weeks) with no decision, 100 of
    them with a goodwill payment (upheld, DISP 1.10.3G(2)). Focus: delay in processing the claim.
    """
    return [
        *many("FA", 300, "2025-03-03", "2025-03-04", "upheld", cmc_focus="upfront_fees"),
        *many("FB", 50, "2025-03-03", "2025-04-10", "not_upheld", cmc_focus="upfront_fees"),
        *many("FC", 150, "2025-03-03", "2025-04-10", "not_upheld", cmc_focus="claim_outcome"),
        *many("FD", 100, "2025-03-03", cmc_focus="claim_outcome"),
        cmc("FOLD", "2024-12-16", "2025-03-20", "upheld", cmc_focus="lead_generation_marketing"),
        *many(
            "PA",
            100,
            "2025-06-02",
            "2025-08-29",
            "no_decision",
            goodwill_payment="true",
            cmc_claim_type="personal_injury",
            cmc_focus="delay_processing_claim",
        ),
        *many(
            "PB",
            300,
            "2025-06-02",
            "2025-08-29",
            "no_decision",
            goodwill_payment="false",
            cmc_claim_type="personal_injury",
            cmc_focus="delay_processing_claim",
        ),
    ]


@pytest.fixture(scope="module")
def pinned(tmp_path_factory) -> dict[str, dict]:
    return documents(build(Workspace(tmp_path_factory.mktemp("pinned")), pinned_rows()))


# ----------------------------------------------------------------------------- when it is due


@pytest.mark.parametrize("count", [999, 1000])
def test_summary_due_from_1000_complaints(ws, count: int) -> None:
    built = build(ws, many("C", count, "2025-05-05"))
    produced = documents(built)
    if count == 999:
        assert set(produced) == {"annex1ab"}
        [skipped] = built.skipped
        assert (skipped.stem, skipped.reason) == (
            "annex1b",
            "not required: 999 complaints in the Annex 1AB report is below the publication threshold of 1000 "
            "for a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa), (b))",
        )
    else:
        assert set(produced) == {"annex1ab", "annex1b"} and built.skipped == []
        assert produced["annex1b"]["tables"]["1B"]["financial_services"]["opened"] == 1000


def test_complaints_outside_the_1ab_report_do_not_count_toward_1000(ws) -> None:
    rows = many("C", 999, "2025-05-05")
    rows += [
        cmc("X1", "2025-05-05", eligible_complainant="false"),  # not an eligible complainant (DISP 1.10.1R)
        cmc("X2", "2025-05-05", forwarded="entire"),  # forwarded in its entirety (DISP 1.10.1AR)
        cmc("X3", "2024-12-20"),  # received before the period: outstanding, not opened
    ]
    assert "annex1b" not in documents(build(ws, rows))


def test_joint_report_counts_all_members_together(ws) -> None:
    """DISP 1.10A.1R(3): 600 + 400 complaints in a joint Annex 1AB report reach 1,000 though neither firm does."""
    other = {**CMC, "frn": "200002", "name": "Claims Two Ltd", "trading_names": ["TwoClaims"]}
    group = {"id": "claims-group", "name": "Claims Group", "reporting_firm": "200001", "returns": ["annex1ab"]}
    rows = many("A", 600, "2025-05-05") + many("B", 400, "2025-05-05", firm_frn="200002")
    built = build(ws, rows, [CMC, other], "claims-group", groups=[{**group, "members": ["200001", "200002"]}])
    produced = documents(built)
    assert set(produced) == {"annex1ab", "annex1ab--nil-200002", "annex1b"}
    summary = produced["annex1b"]
    assert summary["firms"] == ["200001", "200002"]
    assert summary["header"]["firms_covered"] == [
        {"frn": "200001", "name": "Claims Co"},
        {"frn": "200002", "name": "Claims Two Ltd"},
    ]
    assert summary["header"]["trading_names"] == ["ClaimIt", "TwoClaims"]
    assert summary["tables"]["1B"]["financial_services"]["opened"] == 1000


def test_firm_with_other_permissions_gets_no_claims_management_summary(ws) -> None:
    """Only a firm with permission only for claims management summarises its Annex 1AB report ((1A)(aa))."""
    mixed = {**CMC, "returns": ["annex1", "annex1ab"], "products": ["current_accounts"]}
    built = build(ws, many("C", 1000, "2025-05-05"), [mixed])
    assert set(documents(built)) == {"annex1", "annex1ab"}
    assert [s.reason for s in built.skipped] == [
        "not required: 0 complaints in the report is below the publication threshold of 1000"
    ]  # the Annex 1 report's summary, decided as before


# ----------------------------------------------------------------------------- figures


def test_rows_pinned(pinned) -> None:
    summary = pinned["annex1b"]
    assert summary["return"] == "annex1b" and summary["layout_version"] == "reportkit-cmc-2026-11"
    assert summary["nil_return"] is False and list(summary["tables"]) == ["1B"]
    rows = summary["tables"]["1B"]
    assert list(rows) == [  # taxonomy order of cmc_claim_types
        "personal_injury",
        "financial_services",
        "housing_disrepair",
        "specified_benefit",
        "criminal_injury",
        "employment",
    ]
    assert rows["financial_services"] == {
        "opened": 600,
        "closed": 501,
        "pct_closed_within_3_days": 59.88,  # 300 / 501
        "pct_closed_3_days_to_8_weeks": 39.92,  # 200 / 501
        "pct_upheld": 60.08,  # 301 / 501
        "main_cause": "upfront_fees",  # 350 opened; the 1 outstanding complaint's focus is not counted
        "main_cause_label": "Upfront fees",
    }
    assert rows["personal_injury"] == {
        "opened": 400,
        "closed": 400,
        "pct_closed_within_3_days": 0.0,
        "pct_closed_3_days_to_8_weeks": 0.0,
        "pct_upheld": 25.0,  # no decision with a goodwill payment counts as upheld
        "main_cause": "delay_processing_claim",
        "main_cause_label": "Delay in processing claim",
    }
    for not_handled in ("housing_disrepair", "specified_benefit", "criminal_injury", "employment"):
        assert rows[not_handled] == NULL_ROW
    assert not any("per_1000" in column for row in rows.values() for column in row)


def test_header_has_deadline_and_reminder_and_nothing_personal(pinned) -> None:
    assert pinned["annex1b"]["header"] == {
        "firm_name": "Claims Co",
        "trading_names": ["ClaimIt"],
        "firms_covered": [{"frn": "200001", "name": "Claims Co"}],
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "publication_deadline": "2026-02-28",  # DISP 1.10A.3R(2): period ends 1 July-31 December
        "fca_notification": "Where the summary is published, email the FCA confirming that it accurately reflects "
        "the report submitted, that it has been published, and where (DISP 1.10A.4R).",
    }


def test_opened_and_closed_per_row_equal_annex_1ab(pinned) -> None:
    rows, annex1ab = pinned["annex1b"]["tables"]["1B"], pinned["annex1ab"]["tables"]
    assert {code: row["opened"] for code, row in rows.items()} == annex1ab["1"]["total"]
    assert sum(row["closed"] or 0 for row in rows.values()) == annex1ab["2"]["closed_total"]["value"] == 901


def test_same_rows_and_counts_as_annex_1ab_with_undeclared_types_and_out_of_scope_complaints(ws) -> None:
    rows = many("C", 996, "2025-05-05", "2025-05-06", "upheld")
    rows += [
        cmc("E1", "2025-05-05", "2025-09-30", "not_upheld", cmc_claim_type="employment"),  # not declared: reported
        cmc("E2", "2025-07-01", cmc_claim_type="employment"),
        cmc("H1", "2024-03-03", "2024-04-01", "upheld", cmc_claim_type="housing_disrepair"),  # closed long before
        cmc("X1", "2025-05-05", "2025-05-06", "upheld", eligible_complainant="false"),
        cmc("X2", "2025-05-05", "2025-05-06", "upheld", forwarded="entire", cmc_claim_type="criminal_injury"),
        cmc("P1", "2025-12-01", cmc_claim_type="personal_injury", cmc_focus="other"),
        cmc("P2", "2025-12-31", "2025-12-31", "partially_upheld", cmc_claim_type="personal_injury"),
        cmc("O1", "2024-12-31", "2025-01-02", "upheld"),  # outstanding at the start, closed in the period
    ]
    produced = documents(build(ws, rows))
    summary, table1 = produced["annex1b"]["tables"]["1B"], produced["annex1ab"]["tables"]["1"]
    assert {code: row["opened"] for code, row in summary.items()} == table1["total"]
    assert table1["total"]["employment"] == 2 and table1["total"]["housing_disrepair"] == 0
    closed = sum(row["closed"] or 0 for row in summary.values())
    assert closed == produced["annex1ab"]["tables"]["2"]["closed_total"]["value"] == 999
    assert summary["housing_disrepair"]["pct_upheld"] is None  # a row with numbers but nothing closed
    assert summary["criminal_injury"] == NULL_ROW  # its only complaint was forwarded: not handled, none counted
    assert summary["personal_injury"]["main_cause"] == "upfront_fees"  # tie 1-1: upfront fees before other


def test_main_cause_tie_goes_to_the_first_in_taxonomy_order(ws) -> None:
    # claim_outcome (row 18) comes first in the extract and ties with upfront_fees (row 15): upfront fees wins.
    rows = many("A", 500, "2025-05-05", cmc_focus="claim_outcome") + many("B", 500, "2025-05-05")
    # personal injury: a later code with more complaints wins over an earlier one.
    rows += many("C", 2, "2025-05-05", cmc_claim_type="personal_injury", cmc_focus="other")
    rows += [cmc("D", "2025-05-05", cmc_claim_type="personal_injury", cmc_focus="lead_generation_marketing")]
    table = documents(build(ws, rows))["annex1b"]["tables"]["1B"]
    assert (table["financial_services"]["main_cause"], table["financial_services"]["main_cause_label"]) == (
        "upfront_fees",
        "Upfront fees",
    )
    assert table["personal_injury"]["main_cause"] == "other"


def test_handled_type_without_complaints_is_zeros_not_nulls(ws) -> None:
    row = documents(build(ws, many("C", 1000, "2025-05-05")))["annex1b"]["tables"]["1B"]["personal_injury"]
    assert row == {
        "opened": 0,
        "closed": 0,
        "pct_closed_within_3_days": None,  # nothing closed: no percentage
        "pct_closed_3_days_to_8_weeks": None,
        "pct_upheld": None,
        "main_cause": None,
        "main_cause_label": None,
    }


# ----------------------------------------------------------------------------- views: page, CSV, workbook


def test_page_says_the_layout_is_ours_and_holds_no_personal_data(pinned) -> None:
    page = render_page(pinned["annex1b"])
    assert LAYOUT_LINE in page
    assert '<html lang="en-GB">' in page and "<script" not in page
    assert "<caption>Complaints data summary by type of claim</caption>" in page
    assert '<th scope="col">Type of claim</th>' in page
    assert '<th scope="row">Financial services or financial product claims</th><td>600</td><td>501</td>' in page
    assert "<td>59.88%</td><td>39.92%</td><td>60.08%</td><td>Upfront fees</td>" in page
    assert "does not handle that type of claim" in page
    assert "per 1,000" not in page and "Product group" not in page
    assert "Claims Co (FRN 200001)" in page and "ClaimIt" in page
    for identifier in ("FA0", "FOLD", "PB299", "2025-03-03", "2025-08-29"):  # complaint ids and dates
        assert identifier not in page


def test_csv_rows_are_the_claim_types(pinned, tmp_path) -> None:
    frame = summary_frame(pinned["annex1b"])
    assert list(frame.columns[:3]) == ["cmc_claim_type", "cmc_claim_type_label", "opened"]
    assert frame["cmc_claim_type"].tolist()[:2] == ["personal_injury", "financial_services"]
    assert frame.loc[1, "cmc_claim_type_label"] == "Financial services or financial product claims"
    assert "provision_per_1000" not in frame.columns


def test_notebook_table_uses_the_claim_type_layout(pinned) -> None:
    frame = table_frame(pinned["annex1b"], "1B")
    assert frame.index[1] == "Financial services or financial product claims"
    assert frame.loc["Financial services or financial product claims", "Complaints opened"] == "600"


def test_workbook_sheet_read_back(ws, tmp_path) -> None:
    prepared = api.prepare(ws.paths(pinned_rows(), firms=[CMC]))
    results = api.build_returns(prepared, "200001", YEAR_END)
    summary = next(r for r in results if r.code == "annex1b")
    path = write_workbook(tmp_path / "book.xlsx", [("Annex 1B", summary)], prepared.config)
    sheet = openpyxl.load_workbook(path)["Annex 1B"]
    tables = read_tables(sheet)
    assert list(tables) == ["1B"]
    assert tables["1B"]["financial_services"] == {
        "opened": 600,
        "closed": 501,
        "pct_closed_within_3_days": 59.88,
        "pct_closed_3_days_to_8_weeks": 39.92,
        "pct_upheld": 60.08,
        "main_cause": "upfront_fees",
        "main_cause_label": "Upfront fees",
    }
    assert tables["1B"]["employment"] == NULL_ROW  # blank cells stay empty
    assert read_header(sheet)["publication_deadline"] == "2026-02-28"
    labels = {row[1]: row[2] for row in sheet.iter_rows(max_row=12, values_only=True)}
    assert labels["Layout version"] == "reportkit-cmc-2026-11"
    assert labels["Layout note"].startswith("DISP 1 Annex 1B has no rows for claims management")
    assert sheet.cell(row=1, column=1).value == "Complaints data summary (DISP 1 Annex 1BR), claims management"


# ----------------------------------------------------------------------------- end to end


def test_run_writes_the_summary_json_page_csv_and_sheet(ws) -> None:
    out = ws.root / "out"
    outcome = run(ws.paths(pinned_rows(), firms=[CMC]), "200001", YEAR_END, out, lambda _: None, notebooks=False)
    returns = outcome.folder / "returns"
    assert outcome.produced == ["annex1ab", "annex1b"] and outcome.skipped == []
    document = json.loads((returns / "annex1b.json").read_text(encoding="utf-8"))
    assert document["tables"]["1B"]["personal_injury"]["pct_upheld"] == 25.0
    assert LAYOUT_LINE in (returns / "annex1b.html").read_text(encoding="utf-8")
    frame = pd.read_csv(returns / "annex1b.csv")
    assert frame["cmc_claim_type"].tolist() == [
        "personal_injury",
        "financial_services",
        "housing_disrepair",
        "specified_benefit",
        "criminal_injury",
        "employment",
    ]
    assert frame["opened"].tolist()[:2] == [400, 600]
    book = openpyxl.load_workbook(returns / "200001-2025-12-31.xlsx")
    assert book.sheetnames == ["Annex 1AB", "Annex 1B", "Run"]


def test_run_summary_prints_the_publication_deadline_and_the_reason_when_skipped(ws, monkeypatch) -> None:
    monkeypatch.setattr("reportkit.runner.run", functools.partial(run, notebooks=False))

    def invoke(rows: list[dict], out: str):
        paths = ws.paths(rows, firms=[CMC])
        args = ["run", "--config", paths.config, "--entity", "200001", "--period-end", "2025-12-31"]
        return CliRunner().invoke(cli.main, [str(a) for a in [*args, "--complaints", paths.complaints, "--out", out]])

    result = invoke(many("C", 1000, "2025-05-05"), str(ws.root / "a"))
    assert result.exit_code == 0, result.output
    assert "  produced annex1b\n    publish returns/annex1b.html by 2026-02-28 (DISP 1.10A.3R); Where the" in (
        result.output
    )
    result = invoke(many("C", 999, "2025-05-05"), str(ws.root / "b"))
    assert result.exit_code == 0, result.output
    assert "  skipped annex1b: not required: 999 complaints in the Annex 1AB report is below" in result.output


# ----------------------------------------------------------------------------- calendar


def calendar_json(ws, firms: list[dict], entity: str, **top) -> list[dict]:
    args = ["calendar", "--config", ws.config(firms, **top), "--entity", entity, "--from", "2025-01-01"]
    result = CliRunner().invoke(cli.main, [str(a) for a in [*args, "--to", "2025-12-31", "--json"]])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_calendar_gives_a_claims_management_only_firm_its_publication_deadline(ws) -> None:
    rows = calendar_json(ws, [CMC], "200001")
    assert [(r["return"], r["period_end"], r["due"], r["publication_deadline"]) for r in rows] == [
        ("annex1ab", "2025-12-31", "2026-02-12", "2026-02-28")
    ]


def test_calendar_gives_no_1ab_publication_deadline_to_a_firm_with_other_permissions(ws) -> None:
    mixed = {**FIRM, "returns": ["annex1", "annex1ab"], "cmc_claim_types": ["financial_services"]}
    rows = calendar_json(ws, [mixed], "123456")
    assert {(r["return"], r["period_end"], r["publication_deadline"]) for r in rows} == {
        ("annex1", "2025-06-30", "2025-08-31"),
        ("annex1", "2025-12-31", "2026-02-28"),
        ("annex1ab", "2025-06-30", None),
        ("annex1ab", "2025-12-31", None),
    }


def test_notebook_headline_carries_the_layout_line(pinned) -> None:
    assert return_headline(pinned["annex1b"]).endswith(
        "layout reportkit-cmc-2026-11. DISP 1 Annex 1B has no rows for claims management, so the row layout of this "
        "summary (one row per type of claim) is reportkit's own; the figures are those of the firm's Annex 1AB "
        "claims management return."
    )
    assert return_headline(pinned["annex1ab"]).endswith("layout 2019-04-01.")
