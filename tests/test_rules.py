"""The DISP counting rules, each on its edge cases, first as functions, then through a built return."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import rules
from reportkit.taxonomy import load_taxonomy
from tests.conftest import FIRM, complaint, redress_line

D = pd.Timestamp


def band(received: str, closed: str, nation: str = "ENG") -> str | None:
    return rules.annex1_time_band(pd.Series([D(received)]), pd.Series([D(closed)]), pd.Series([nation]))[0]


@pytest.mark.parametrize(
    "received, closed, nation, expected",
    [
        ("2025-01-06", "2025-01-06", "ENG", "closed_within_3_days"),  # closed on the day of receipt
        ("2025-01-06", "2025-01-09", "ENG", "closed_within_3_days"),  # Monday -> Thursday
        ("2025-01-06", "2025-01-10", "ENG", "closed_3_days_to_8_weeks"),  # Friday is the 4th business day
        ("2025-01-04", "2025-01-08", "ENG", "closed_within_3_days"),  # received Saturday -> Wednesday
        ("2025-01-04", "2025-01-09", "ENG", "closed_3_days_to_8_weeks"),
        ("2025-04-17", "2025-04-24", "ENG", "closed_within_3_days"),  # Good Friday and Easter Monday
        ("2025-04-17", "2025-04-24", "SCT", "closed_3_days_to_8_weeks"),  # Scotland has no Easter Monday
        ("2024-12-31", "2025-01-07", "SCT", "closed_within_3_days"),  # Scotland's 2 January
        ("2024-12-31", "2025-01-07", "ENG", "closed_3_days_to_8_weeks"),
        ("2025-07-31", "2025-08-05", "SCT", "closed_within_3_days"),  # first Monday of August, Scotland
        ("2025-07-31", "2025-08-06", "ENG", "closed_3_days_to_8_weeks"),
        ("2025-11-27", "2025-12-03", "SCT", "closed_within_3_days"),  # St Andrew's Day observed 1 Dec
        ("2025-11-27", "2025-12-03", "ENG", "closed_3_days_to_8_weeks"),
        ("2025-03-13", "2025-03-19", "NIR", "closed_within_3_days"),  # St Patrick's Day 17 March
        ("2025-03-13", "2025-03-19", "ENG", "closed_3_days_to_8_weeks"),
        ("2025-07-10", "2025-07-16", "NIR", "closed_within_3_days"),  # 12 July observed on Monday 14th
        ("2022-06-01", "2022-06-08", "ENG", "closed_within_3_days"),  # Jubilee 2-3 June 2022
        ("2022-09-16", "2022-09-22", "WLS", "closed_within_3_days"),  # 19 September 2022
        ("2023-05-05", "2023-05-11", "ENG", "closed_within_3_days"),  # Coronation 8 May 2023
        ("2025-01-01", "2025-02-26", "ENG", "closed_3_days_to_8_weeks"),  # exactly 56 days
        ("2025-01-01", "2025-02-27", "ENG", "closed_after_8_weeks"),  # 57 days
    ],
)
def test_annex1_time_bands(received: str, closed: str, nation: str, expected: str) -> None:
    assert band(received, closed, nation) == expected


def test_open_complaint_has_no_band() -> None:
    assert rules.annex1_time_band(pd.Series([D("2025-01-06")]), pd.Series([pd.NaT]), pd.Series(["ENG"]))[0] is None


@pytest.mark.parametrize(
    "received, closed, expected",
    [
        ("2025-12-01", "2025-12-22", "closed_within_15_business_days"),  # 15th business day after 1 Dec
        ("2025-12-01", "2025-12-23", "closed_16_to_35_business_days"),
        ("2025-12-01", "2026-01-22", "closed_16_to_35_business_days"),  # 35th, across Christmas and New Year
        ("2025-12-01", "2026-01-23", "closed_after_35_business_days"),
    ],
)
def test_annex1ad_time_bands_around_christmas(received: str, closed: str, expected: str) -> None:
    result = rules.annex1ad_time_band(pd.Series([D(received)]), pd.Series([D(closed)]), pd.Series(["ENG"]))
    assert result[0] == expected


@pytest.mark.parametrize(
    "outcome, goodwill, upheld",
    [
        ("upheld", False, True),
        ("partially_upheld", False, True),  # upheld in part counts as upheld
        ("no_decision", True, True),  # goodwill without a decision counts as upheld
        ("no_decision", False, False),
        ("not_upheld", True, False),  # rejected with goodwill stays rejected
        ("not_upheld", False, False),
        (None, False, False),  # open
    ],
)
def test_upheld(outcome: str | None, goodwill: bool, upheld: bool) -> None:
    assert bool(rules.is_upheld(pd.Series([outcome], dtype=object), pd.Series([goodwill]))[0]) is upheld


@pytest.mark.parametrize(
    "eligible, forwarded, counted",
    [(True, "none", True), (True, "partial", True), (True, "entire", False), (False, "none", False)],
)
def test_annex1_scope(eligible: bool, forwarded: str, counted: bool) -> None:
    frame = pd.DataFrame({"eligible_complainant": [eligible], "forwarded": [forwarded]})
    assert bool(rules.in_scope_annex1(frame)[0]) is counted


@pytest.mark.parametrize("received, variant", [(499, "A-1"), (500, "A-2")])
def test_part_a_threshold(received: int, variant: str) -> None:
    assert rules.part_a_variant(received) == variant


@pytest.mark.parametrize(
    "count, annual, required", [(499, False, False), (500, False, True), (999, True, False), (1000, True, True)]
)
def test_publication_threshold(count: int, annual: bool, required: bool) -> None:
    assert rules.publication_required(count, annual) is required


@pytest.mark.parametrize("units, pounds", [(4_999, 0), (5_000, 1), (14_999, 1), (15_000, 2), (0, 0)])
def test_whole_pounds_rounds_half_up(units: int, pounds: int) -> None:
    assert rules.whole_pounds(units, 10_000) == pounds


# ----------------------------------------------------------------------------- through Annex 1


def test_forwarding_and_eligibility_in_the_return(ws) -> None:
    rows = [
        complaint("C1", "2025-02-03"),
        complaint("C2", "2025-02-03", forwarded="partial"),
        complaint("C3", "2025-02-03", forwarded="entire"),
        complaint("C4", "2025-02-03", eligible_complainant="false"),
    ]
    document = ws.annex1(rows)
    assert document["header"]["opened"] == 2
    assert document["tables"]["1"]["banking_credit_cards"]["general_admin_customer_service"] == 2


def test_goodwill_on_rejected_and_undecided_complaints(ws) -> None:
    rows = [
        complaint("C1", "2025-02-03", "2025-02-04", "not_upheld", goodwill_payment="true"),
        complaint("C2", "2025-02-03", "2025-02-04", "no_decision", goodwill_payment="true"),
        complaint("C3", "2025-02-03", "2025-02-04", "no_decision", goodwill_payment="false"),
        complaint("C4", "2025-02-03", "2025-02-04", "partially_upheld"),
    ]
    cells = ws.annex1(rows)["tables"]["2"]["banking_credit_cards"]
    assert cells["upheld"] == 2
    assert cells["closed_within_3_days"] == 4


def test_redress_rounds_the_cell_total_not_each_line(ws) -> None:
    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-04", "upheld") for i in range(3)]
    redress = [
        redress_line("C0", "2025-02-04", "distress_inconvenience", "0.25"),
        redress_line("C1", "2025-02-04", "goodwill", "0.25"),
        redress_line("C2", "2025-02-04", "premium_refund_in_error", "100"),
    ]
    cells = ws.annex1(rows, redress=redress)["tables"]["2"]["banking_credit_cards"]
    assert cells["redress_upheld"] == 1  # 0.25 + 0.25 = 0.50 -> 1; per line it would be 0
    assert cells["redress_not_upheld"] == 0  # the premium refund taken in error is not redress


def test_redress_splits_by_upheld_status_of_its_complaint(ws) -> None:
    rows = [
        complaint("C1", "2025-02-03", "2025-02-04", "upheld", redress_amount="10.40"),
        complaint("C2", "2025-02-03", "2025-02-04", "not_upheld", goodwill_payment="true", redress_amount="20.60"),
    ]
    cells = ws.annex1(rows)["tables"]["2"]["banking_credit_cards"]
    assert (cells["redress_upheld"], cells["redress_not_upheld"]) == (10, 21)


def test_redress_attributed_to_the_period_of_closure_by_default(ws) -> None:
    rows = [complaint("C1", "2025-06-20", "2025-07-02", "upheld")]
    redress = [redress_line("C1", "2025-06-25", "financial_loss", "50")]
    h1 = ws.annex1(rows, redress=redress)
    h2 = ws.annex1(rows, period_end=dt.date(2025, 12, 31), redress=redress)
    assert h1["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 0
    assert h2["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 50


def test_paid_in_period_attribution_is_a_configuration_choice(ws) -> None:
    rows = [complaint("C1", "2025-06-20", "2025-07-02", "upheld")]
    redress = [redress_line("C1", "2025-06-25", "financial_loss", "50")]
    h1 = ws.annex1(rows, redress=redress, redress_attribution="paid_in_period")
    assert h1["tables"]["2"]["banking_credit_cards"]["redress_not_upheld"] == 50  # open at 30 June: not upheld yet


def test_outstanding_at_start(ws) -> None:
    rows = [
        complaint("C1", "2024-12-20"),  # open: outstanding
        complaint("C2", "2024-12-20", "2025-01-01", "upheld"),  # closed on the first day: outstanding
        complaint("C3", "2024-12-20", "2024-12-31", "upheld"),  # closed before the start: not
        complaint("C4", "2025-01-01"),  # received in the period: opened
    ]
    header = ws.annex1(rows)["header"]
    assert (header["outstanding_at_start"], header["opened"]) == (2, 1)


def test_threshold_counts_part_a_and_part_b_together(ws) -> None:
    part_a = [complaint(f"A{i}", "2025-03-03") for i in range(480)]
    part_b = [
        complaint(f"B{i}", "2025-03-03", product="", cause="", credit_activity="credit_broking") for i in range(19)
    ]
    assert ws.annex1(part_a + part_b)["header"]["part_a"] == "A-1"
    one_more = part_b + [complaint("B19", "2025-03-03", product="", cause="", credit_activity="credit_broking")]
    document = ws.annex1(part_a + one_more)
    assert document["header"]["part_a"] == "A-2"
    assert set(document["tables"]) == {"4", "5", "6", "B"}
    assert document["header"]["publication_consent"] is True


def test_nil_return(ws) -> None:
    rows = [complaint("C1", "2024-10-01", "2024-11-01", "upheld")]  # closed before the period
    document = ws.annex1(rows)
    assert document["nil_return"] is True and document["header"]["nil_return"] is True
    assert all(v is None for table in document["tables"].values() for row in table.values() for v in row.values())
    assert document["header"]["publication_consent"] is None


def test_blank_versus_zero(ws) -> None:
    document = ws.annex1([complaint("C1", "2025-02-03")])
    table1 = document["tables"]["1"]
    assert table1["banking_credit_cards"]["arrears_related"] == 0  # offered, no complaints: 0
    assert table1["investments"]["arrears_related"] is None  # not offered: blank
    assert document["tables"]["B"]["credit_broking"]["received"] == 0  # declared credit activity
    assert document["tables"]["B"]["pawnbroking"]["received"] is None


def test_no_credit_permissions_leaves_part_b_blank(ws) -> None:
    firm = {**FIRM, "credit_activities": []}
    document = ws.annex1([complaint("C1", "2025-02-03")], firms=[firm])
    assert all(v is None for row in document["tables"]["B"].values() for v in row.values())


def test_undeclared_product_is_reported_not_dropped(ws) -> None:
    document = ws.annex1([complaint("C1", "2025-02-03", product="travel", cause="other")])
    assert document["tables"]["1"]["insurance_pure_protection"]["other"] == 1


def test_context_sums_declared_products_and_banking_has_no_intermediation(ws) -> None:
    context = [
        {
            "firm_frn": "123456",
            "period_end": "2025-06-30",
            "measure": "provision",
            "key": "current_accounts",
            "value": 1000,
        },
        {"firm_frn": "123456", "period_end": "2025-06-30", "measure": "provision", "key": "credit_cards", "value": 500},
        {"firm_frn": "123456", "period_end": "2024-12-31", "measure": "provision", "key": "credit_cards", "value": 999},
    ]
    table3 = ws.annex1([complaint("C1", "2025-02-03")], context=context)["tables"]["3"]
    assert table3["banking_credit_cards"] == {"provision": 1500, "intermediation": None}


# ----------------------------------------------------------------------------- Annex 1AD scope (DISP 1.1.3AD)
SERVICES = [None, *load_taxonomy().codes("payment_services")]
ELIGIBLE_ONLY = load_taxonomy().eligible_only_payment_services()


@given(
    st.lists(
        st.tuples(st.sampled_from(SERVICES), st.booleans(), st.sampled_from([None, "none", "partial", "entire"])),
        min_size=1,
        max_size=40,
    )
)
def test_annex1ad_scope_invariants(rows) -> None:
    frame = pd.DataFrame(rows, columns=["payment_service", "eligible_complainant", "forwarded"])
    kept = rules.in_scope_annex1ad(frame, ELIGIBLE_ONLY)
    service = frame["payment_service"]
    # Only payment-service complaints, never one forwarded in its entirety (DISP 1.10B.3D).
    assert not (kept & (service.isna() | (frame["forwarded"] == "entire"))).any()
    # Eligibility matters only for the issuing or redemption of e-money (DISP 1.1.3AD(2)).
    candidates = service.notna() & (frame["forwarded"] != "entire")
    expected = candidates & (frame["eligible_complainant"] | ~service.isin(ELIGIBLE_ONLY))
    assert kept.tolist() == expected.tolist()
    # Every eligible complainant's payment-service complaint is in scope, whatever the service.
    assert kept[candidates & frame["eligible_complainant"]].all()
