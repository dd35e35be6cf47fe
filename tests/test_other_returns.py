"""Annex 1AB, 1AD, 1C and the 1B summary, each on its edge cases, built through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from reportkit import api
from reportkit.publication import render_page
from reportkit.views import adviser_pseudonyms, table_frame
from tests.conftest import FIRM, complaint, redress_line

YEAR_END = dt.date(2025, 12, 31)
CMC = {
    "frn": "200001",
    "name": "Claims Co",
    "accounting_reference_date": "12-31",
    "annual_reporter": True,
    "business_days": "ENG",
    "returns": ["annex1ab"],
    "cmc_claim_types": ["financial_services", "personal_injury"],
    "publication_consent": True,
}
PSP = {
    **FIRM,
    "returns": ["annex1", "annex1ad"],
    "payment_services": ["credit_transfers", "emoney_issuing_redemption", "debit_cash_cards"],
}
ADVICE = {**FIRM, "returns": ["annex1", "annex1c"], "products": ["isas_investment"]}


def built(ws, rows, firms, entity, period_end, **kwargs) -> dict[str, dict]:
    prepared = api.prepare(ws.paths(rows, firms=firms, **kwargs))
    return {r.stem: r.document for r in api.build_returns(prepared, entity, period_end)}


def cmc(
    cid: str,
    received: str,
    closed: str | None = None,
    outcome: str | None = None,
    claim="financial_services",
    focus="upfront_fees",
    **extra,
) -> dict:
    return complaint(
        cid,
        received,
        closed,
        outcome,
        firm_frn="200001",
        product="",
        cause="",
        cmc_claim_type=claim,
        cmc_focus=focus,
        **extra,
    )


def pay(
    cid: str, received: str, closed: str | None = None, outcome: str | None = None, service="credit_transfers", **extra
) -> dict:
    return complaint(cid, received, closed, outcome, payment_service=service, payment_cause="other", **extra)


# ----------------------------------------------------------------------------- Annex 1AB


def test_1ab_table1_totals_and_blank_claim_types(ws) -> None:
    rows = [
        cmc("C1", "2025-03-03"),
        cmc("C2", "2025-03-04", focus="claim_outcome"),
        cmc("C3", "2025-03-05", claim="personal_injury"),
    ]
    table1 = built(ws, rows, [CMC], "200001", YEAR_END)["annex1ab"]["tables"]["1"]
    assert table1["total"] == {
        "personal_injury": 1,
        "financial_services": 2,
        "housing_disrepair": None,
        "specified_benefit": None,
        "criminal_injury": None,
        "employment": None,
    }
    assert table1["upfront_fees"]["financial_services"] == 1 and table1["claim_outcome"]["financial_services"] == 1
    assert table1["customer_data"]["personal_injury"] == 0  # handled type, no complaints: 0


def test_1ab_table2_totals_and_fee_cap_redress_from_context(ws) -> None:
    rows = [
        cmc("C1", "2025-03-03", "2025-03-04", "upheld", redress_amount="100.25"),
        cmc("C2", "2025-03-03", "2025-04-10", "not_upheld", redress_amount="20.25"),
        cmc("C3", "2025-03-03", "2025-06-30", "no_decision"),
    ]
    context = [
        {
            "firm_frn": "200001",
            "period_end": "2025-12-31",
            "measure": "cmc_fee_cap_firm_initiated",
            "key": "",
            "value": 10.5,
        },
        {"firm_frn": "200001", "period_end": "2025-12-31", "measure": "cmc_leads", "key": "", "value": 900},
        {"firm_frn": "200001", "period_end": "2025-12-31", "measure": "cmc_claims_opened", "key": "", "value": 75},
    ]
    document = built(ws, rows, [CMC], "200001", YEAR_END, context=context)["annex1ab"]
    values = {row: cell["value"] for row, cell in document["tables"]["2"].items()}
    assert values == {
        "closed_within_3_days": 1,
        "closed_3_days_to_8_weeks": 1,
        "closed_after_8_weeks": 1,
        "closed_total": 3,
        "upheld": 1,
        "redress_upheld": 100,
        "redress_not_upheld": 20,
        "redress_fee_cap_firm_initiated": 11,
        "redress_total": 131,
    }
    assert (document["header"]["leads"], document["header"]["claims_opened"]) == (900, 75)
    assert document["header"]["publication_consent"] is None  # fewer than 1,000 complaints


@pytest.mark.parametrize("count, consent", [(999, None), (1000, True)])
def test_1ab_consent_question_from_1000_complaints(ws, count: int, consent) -> None:
    rows = [cmc(f"C{i}", "2025-05-05") for i in range(count)]
    assert built(ws, rows, [CMC], "200001", YEAR_END)["annex1ab"]["header"]["publication_consent"] is consent


# ----------------------------------------------------------------------------- Annex 1AD


def test_1ad_scope_counts_non_eligible_payment_users_but_not_e_money_issuance(ws) -> None:
    rows = [
        pay("P1", "2025-03-03", eligible_complainant="false"),
        pay("P2", "2025-03-03", service="emoney_issuing_redemption", eligible_complainant="false"),
        pay("P3", "2025-03-03", service="emoney_issuing_redemption"),
        pay("P4", "2025-03-03", forwarded="entire"),
    ]
    documents = built(ws, rows, [PSP], "123456", YEAR_END)
    table1 = documents["annex1ad"]["tables"]["1"]
    assert table1["credit_transfers"]["other"] == 1
    assert table1["emoney_issuing_redemption"]["other"] == 1
    assert documents["annex1ad"]["header"]["opened"] == 2
    h1 = built(ws, rows, [PSP], "123456", dt.date(2025, 6, 30))["annex1"]
    assert h1["header"]["opened"] == 1  # Annex 1 counts eligible complainants only (P3)


EMONEY_PSP = {**PSP, "payment_services": ["prepaid_cards_emoney_payments", "emoney_issuing_redemption"]}


@pytest.mark.parametrize(
    "service, eligible, counted",
    [
        # DISP 1.1.3AD(1): a payment made with e-money is a payment service; every payment service user counts.
        ("prepaid_cards_emoney_payments", "false", True),
        ("prepaid_cards_emoney_payments", "true", True),
        # DISP 1.1.3AD(2): issuing or redemption of e-money counts only from eligible complainants.
        ("emoney_issuing_redemption", "false", False),
        ("emoney_issuing_redemption", "true", True),
    ],
)
def test_1ad_e_money_payments_count_every_payment_service_user(ws, service, eligible, counted) -> None:
    rows = [pay("E1", "2025-03-03", "2025-03-10", "upheld", service=service, eligible_complainant=eligible)]
    document = built(ws, rows, [EMONEY_PSP], "123456", YEAR_END)["annex1ad"]
    table1, table2 = document["tables"]["1"][service], document["tables"]["2"][service]
    if counted:
        assert table1["other"] == 1 and table1["unauthorised_transaction"] == 0
        assert table2["closed_within_15_business_days"] == 1 and table2["upheld"] == 1
        assert (document["header"]["opened"], document["nil_return"]) == (1, False)
    else:
        assert set(table1.values()) == {None} and set(table2.values()) == {None}
        assert document["nil_return"] is True


def test_eligible_only_payment_services_come_from_the_taxonomy() -> None:
    from reportkit.taxonomy import load_taxonomy

    assert load_taxonomy().eligible_only_payment_services() == ["emoney_issuing_redemption"]


def test_1ad_is_annual_and_due_only_at_the_ard(ws) -> None:
    prepared = api.prepare(ws.paths([pay("P1", "2025-03-03")], firms=[PSP]))
    half_year = api.build_all(prepared, "123456", dt.date(2025, 6, 30))
    assert [r.stem for r in half_year.results] == ["annex1"]
    assert [(s.stem, s.reason) for s in half_year.skipped if s.stem == "annex1ad"] == [
        ("annex1ad", "not due, 2025-06-30 is not the end of its year")
    ]
    year = api.build_all(prepared, "123456", YEAR_END)
    document = next(r.document for r in year.results if r.stem == "annex1ad")
    assert document["period"] == {"start": "2025-01-01", "end": "2025-12-31"}


def test_1ad_without_an_ard_uses_the_calendar_year(ws) -> None:
    firm = {key: value for key, value in PSP.items() if key != "accounting_reference_date"}
    firm.update(calendar_year=True, returns=["annex1ad"])
    documents = built(ws, [pay("P1", "2025-03-03")], [firm], "123456", YEAR_END)
    assert documents["annex1ad"]["period"] == {"start": "2025-01-01", "end": "2025-12-31"}


def test_1ad_bands_blank_rules_and_app_fraud(ws) -> None:
    rows = [
        pay("P1", "2025-12-01", "2025-12-22", "upheld"),  # 15th business day
        pay("P2", "2025-12-01", "2025-12-23", "not_upheld"),  # 16th
        pay("P3", "2025-11-03", "2025-12-31", "upheld", app_fraud_role="payer_psp"),  # over 35
        pay("P4", "2025-12-30", service="debit_cash_cards", app_fraud_role="payee_psp"),
    ]  # open
    document = built(ws, rows, [PSP], "123456", YEAR_END)["annex1ad"]
    table2 = document["tables"]["2"]
    assert table2["credit_transfers"]["closed_within_15_business_days"] == 1
    assert table2["credit_transfers"]["closed_16_to_35_business_days"] == 1
    assert table2["credit_transfers"]["closed_after_35_business_days"] == 1
    assert table2["debit_cash_cards"]["upheld"] is None  # opened but none closed: Table 2 row blank
    assert document["tables"]["1"]["debit_cash_cards"]["other"] == 1
    assert document["tables"]["1"]["direct_debits"]["other"] is None  # no complaints: blank
    assert document["tables"]["4"] == {
        "payer_psp": {"opened": 1, "closed": 1, "upheld": 1, "redress": 0},
        "payee_psp": {"opened": 1, "closed": 0, "upheld": 0, "redress": 0},
    }
    assert document["header"]["opened"] == 4  # APP complaints are in the totals once, not again


def test_1ad_volumes_in_thousands_for_services_provided(ws) -> None:
    context = [
        {
            "firm_frn": "123456",
            "period_end": "2025-12-31",
            "measure": "payment_volume",
            "key": "credit_transfers",
            "value": 200,
        },
        {
            "firm_frn": "123456",
            "period_end": "2025-12-31",
            "measure": "payment_volume",
            "key": "debit_cash_cards",
            "value": 1234567,
        },
    ]
    table3 = built(ws, [pay("P1", "2025-03-03")], [PSP], "123456", YEAR_END, context=context)["annex1ad"]["tables"]["3"]
    assert table3["credit_transfers"] == {"volume": 0.2}
    assert table3["debit_cash_cards"] == {"volume": 1234.567}
    assert table3["emoney_issuing_redemption"] == {"volume": None}  # provided, no figure given
    assert table3["atm_withdrawal"] == {"volume": None}  # not provided


def test_1ad_redress_excludes_the_transaction_amount(ws) -> None:
    rows = [pay("P1", "2025-03-03", "2025-03-04", "upheld")]
    redress = [
        redress_line("P1", "2025-03-04", "payment_transaction_amount", "500"),
        redress_line("P1", "2025-03-04", "distress_inconvenience", "50"),
    ]
    documents = built(ws, rows, [PSP], "123456", YEAR_END, redress=redress)
    assert documents["annex1ad"]["tables"]["2"]["credit_transfers"]["redress_upheld"] == 50
    h1 = built(ws, rows, [PSP], "123456", dt.date(2025, 6, 30), redress=redress)["annex1"]
    assert h1["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 550


# ----------------------------------------------------------------------------- Annex 1C


def test_1c_rows_for_each_adviser_key_form(ws) -> None:
    base = {"product": "isas_investment", "cause": "unsuitable_advice"}
    rows = [
        complaint("A1", "2025-08-01", "2025-08-05", "upheld", adviser_irn="ABC01234", redress_amount="99.50", **base),
        complaint("A2", "2025-08-01", "2025-08-05", "not_upheld", adviser_irn="ABC01234", redress_amount="10", **base),
        complaint("A3", "2025-08-01", adviser_ni_number="QQ123456C", adviser_date_of_birth="1970-01-31", **base),
        complaint(
            "A4",
            "2025-08-01",
            adviser_date_of_birth="1980-05-05",
            adviser_passport_number="P123",
            adviser_nationality="FRA",
            **base,
        ),
        complaint("A5", "2025-08-01", **base),
    ]
    document = built(ws, rows, [ADVICE], "123456", YEAR_END)["annex1c"]
    assert document["tables"]["1C"] == {
        "ABC01234": {"received": 2, "closed": 2, "upheld": 1, "redress": 100},  # redress of upheld complaints only
        "NI:QQ123456C:1970-01-31": {"received": 1, "closed": 0, "upheld": 0, "redress": 0},
        "PP:P123:FRA:1980-05-05": {"received": 1, "closed": 0, "upheld": 0, "redress": 0},
    }
    shown = table_frame(document, "1C")
    assert list(shown.index) == [
        "Adviser 1 (keyed by IRN)",
        "Adviser 2 (keyed by NI number and date of birth)",
        "Adviser 3 (keyed by passport, nationality and date of birth)",
    ]
    assert "ABC01234" not in shown.to_html() and "QQ123456C" not in shown.to_html()


def test_1c_nil_when_no_adviser_complaints(ws) -> None:
    document = built(
        ws, [complaint("C1", "2025-08-01", product="isas_investment", cause="other")], [ADVICE], "123456", YEAR_END
    )["annex1c"]
    assert document["nil_return"] is True and document["tables"]["1C"] == {}


def test_adviser_pseudonyms_keep_no_character_of_the_identifier() -> None:
    assert adviser_pseudonyms(["XYZ99999", "PP:1:GBR:1990-01-01"]) == [
        "Adviser 1 (keyed by IRN)",
        "Adviser 2 (keyed by passport, nationality and date of birth)",
    ]


# ----------------------------------------------------------------------------- Annex 1B


def test_1b_produced_at_500_and_not_at_499(ws) -> None:
    rows = [complaint(f"C{i}", "2025-03-03", "2025-03-04", "upheld" if i % 2 else "not_upheld") for i in range(499)]
    assert "annex1b" not in built(ws, rows, [FIRM], "123456", dt.date(2025, 6, 30))
    rows.append(complaint("C499", "2025-03-03", product="", cause="", credit_activity="credit_broking"))
    document = built(ws, rows, [FIRM], "123456", dt.date(2025, 6, 30))["annex1b"]
    row = document["tables"]["1B"]["banking_credit_cards"]
    assert (row["opened"], row["closed"], row["pct_closed_within_3_days"], row["pct_upheld"]) == (499, 499, 100.0, 49.9)
    assert document["tables"]["1B"]["investments"] == {k: None for k in row}
    assert document["tables"]["credit"] == {"credit_related": {"received": 1, "closed": 0, "pct_upheld": None}}
    assert document["header"]["publication_deadline"] == "2025-08-31"


@pytest.mark.parametrize("count, produced", [(999, False), (1000, True)])
def test_1b_threshold_is_1000_for_annual_reporters(ws, count: int, produced: bool) -> None:
    firm = {**FIRM, "annual_reporter": True}
    rows = [complaint(f"C{i}", "2025-03-03") for i in range(count)]
    assert ("annex1b" in built(ws, rows, [firm], "123456", YEAR_END)) is produced


def test_1b_per_1000_main_cause_tie_and_page(ws) -> None:
    rows = [complaint(f"D{i}", "2025-03-03", cause="delays_timescales") for i in range(250)]
    rows += [
        complaint(f"U{i}", "2025-03-03", cause="unsuitable_advice") for i in range(250)
    ]  # a tie: first in taxonomy order
    context = [
        {
            "firm_frn": "123456",
            "period_end": "2025-06-30",
            "measure": "provision",
            "key": "current_accounts",
            "value": 40000,
        }
    ]
    document = built(ws, rows, [{**FIRM, "credit_activities": []}], "123456", dt.date(2025, 6, 30), context=context)[
        "annex1b"
    ]
    row = document["tables"]["1B"]["banking_credit_cards"]
    assert (row["provision_per_1000"], row["intermediation_per_1000"]) == (12.5, None)
    assert (row["main_cause"], row["main_cause_label"]) == ("unsuitable_advice", "Unsuitable advice")
    assert "credit" not in document["tables"]  # Part B all blank
    page = render_page(document)
    assert '<html lang="en-GB">' in page and "<caption>" in page and 'scope="row"' in page
    assert "D1" not in page and "U1" not in page and "12.50" in page


@pytest.mark.parametrize("value, text", [(None, ""), (3, "3"), (1234, "1,234"), (0.2, "0.2"), (1234.567, "1,234.567")])
def test_cells_read_as_the_form_would_show_them(value, text: str) -> None:
    from reportkit.views import cell_text

    assert cell_text(value) == text


def test_the_summary_keeps_lineage_that_ties_to_its_cells(tmp_path) -> None:
    """interface.md: lineage for every non-blank cell. Annex 1B's counts are its complaints; its main cause's are
    the complaints opened with that cause; the credit row's are the Part B complaints it counts."""
    from reportkit.sample import write_sample

    files = write_sample(tmp_path)
    paths = api.InputPaths.of(files["config"], files["complaints"], files["redress"], files["context"])
    prepared = api.prepare(paths)
    built = api.build_all(prepared, "sample-group", dt.date(2025, 12, 31))
    summary = next(r for r in built.results if r.stem == "annex1b")
    lineage = summary.lineage.astype({"table": str, "row": str, "column": str})
    cells = summary.document["tables"]["1B"]
    for code, row in cells.items():
        for column in ("opened", "closed"):
            behind = lineage[(lineage["table"] == "1B") & (lineage["row"] == code) & (lineage["column"] == column)]
            assert len(behind) == (row[column] or 0), (code, column)
        main = lineage[(lineage["row"] == code) & (lineage["column"] == "main_cause")]
        causes = set(prepared.complaints.loc[main.index, "cause"].astype(str)) if len(main) else set()
        assert causes == ({row["main_cause"]} if row["main_cause"] else set()), code
        opened = lineage[(lineage["table"] == "1B") & (lineage["row"] == code) & (lineage["column"] == "opened")]
        with_cause = prepared.complaints.loc[opened.index, "cause"].astype(str) == str(row["main_cause"])
        assert len(main) == int(with_cause.sum()), code  # every complaint opened with the main cause, no fewer
    credit = summary.document["tables"]["credit"]["credit_related"]
    for column in ("received", "closed"):
        behind = lineage[(lineage["table"] == "credit") & (lineage["column"] == column)]
        assert len(behind) == credit[column] > 0, column
        assert set(behind["row"]) == {"credit_related"}
    assert not lineage["complaint_id"].isna().any()
