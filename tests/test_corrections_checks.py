"""DISP corrections, round 2: each adviser once (Annex 1C) and no contradiction deciding a figure silently."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportkit import api, rules
from reportkit.calendar import Period
from reportkit.returns.annex1 import build_annex1, length_in_months, previous_period
from reportkit.returns.annex1ad import MAX_PAYMENT_SERVICES
from reportkit.returns.common import BuildInputs
from reportkit.schema import normalise_identifier
from reportkit.views import table_frame
from tests.conftest import FIRM, complaint, redress_line

YEAR_END = dt.date(2025, 12, 31)
ADVICE = {**FIRM, "returns": ["annex1", "annex1c"], "products": ["isas_investment"]}
ADVICE_BASE = {"product": "isas_investment", "cause": "unsuitable_advice"}
ALL_SERVICES = [
    "prepaid_cards_emoney_payments",
    "credit_cards",
    "debit_cash_cards",
    "direct_debits",
    "standing_orders",
    "credit_transfers",
    "money_remittance",
]
PSP = {**FIRM, "returns": ["annex1", "annex1ad"], "payment_services": ALL_SERVICES}


def documents_and_warnings(ws, rows, firms, entity, period_end, **kwargs) -> tuple[dict, dict]:
    prepared = api.prepare(ws.paths(rows, firms=firms, **kwargs))
    results = api.build_returns(prepared, entity, period_end)
    empty = pd.DataFrame(columns=["rule", "column", "value", "message"])
    return (
        {r.stem: r.document for r in results},
        {r.stem: r.warnings if r.warnings is not None else empty for r in results},
    )


def adviser(cid: str, received: str, closed: str | None = None, outcome: str | None = None, **ids) -> dict:
    return complaint(cid, received, closed, outcome, **ADVICE_BASE, **ids)


def table_1c(ws, rows, **kwargs) -> dict:
    documents, _ = documents_and_warnings(ws, rows, [ADVICE], "123456", YEAR_END, **kwargs)
    return documents["annex1c"]


# ============================================================================= 4. each adviser once


@pytest.mark.parametrize(
    "typed, normalised",
    [
        ("abc 12345", "ABC12345"),
        ("ABC12345", "ABC12345"),
        ("aBc1 2345", "ABC12345"),
        ("qq 123456 c", "QQ123456C"),
        ("QQ\t123456C", "QQ123456C"),
        ("p 123 456", "P123456"),
        ("502135326", "502135326"),
        (None, None),
    ],
)
def test_identifiers_are_compared_without_case_and_spaces(typed, normalised) -> None:
    assert normalise_identifier(pd.Series([typed], dtype=object)).tolist() == [normalised]


def test_normalising_twice_changes_nothing() -> None:
    once = normalise_identifier(pd.Series(["abc 12345", "qq 123456 c", None], dtype=object))
    assert normalise_identifier(once).tolist() == once.tolist() == ["ABC12345", "QQ123456C", None]


def test_adviser_key_uses_the_normalised_identifiers() -> None:
    frame = pd.DataFrame(
        {
            "adviser_irn": ["abc 12345", None, None, None],
            "adviser_ni_number": [None, "qq 123456 c", None, None],
            "adviser_date_of_birth": [None, "1970-01-31", "1980-05-05", None],
            "adviser_passport_number": [None, None, "p 123 456", None],
            "adviser_nationality": [None, None, "FRA", None],
        }
    )
    assert rules.adviser_key(frame).tolist() == [
        "ABC12345",
        "NI:QQ123456C:1970-01-31",
        "PP:P123456:FRA:1980-05-05",
        None,
    ]


def test_irn_typed_two_ways_is_one_adviser(ws) -> None:
    rows = [
        adviser("A1", "2025-08-01", "2025-08-05", "upheld", adviser_irn="abc 12345", redress_amount="40"),
        adviser("A2", "2025-08-02", adviser_irn="ABC12345"),
        adviser("A3", "2025-08-03", adviser_irn="abc12345"),
    ]
    assert table_1c(ws, rows)["tables"]["1C"] == {
        "ABC12345": {"received": 3, "closed": 1, "upheld": 1, "redress": 40},
    }


def test_ni_number_with_spaces_is_valid_and_grouped_with_the_plain_form(ws) -> None:
    rows = [
        adviser("A1", "2025-08-01", adviser_ni_number="qq 123456 c", adviser_date_of_birth="1970-01-31"),
        adviser("A2", "2025-08-02", adviser_ni_number="QQ123456C", adviser_date_of_birth="1970-01-31"),
    ]
    assert api.validate(ws.paths(rows, firms=[ADVICE])).findings.empty
    assert table_1c(ws, rows)["tables"]["1C"] == {
        "NI:QQ123456C:1970-01-31": {"received": 2, "closed": 0, "upheld": 0, "redress": 0},
    }


def test_passport_number_typed_two_ways_is_one_adviser(ws) -> None:
    ids = {"adviser_date_of_birth": "1980-05-05", "adviser_nationality": "FRA"}
    rows = [
        adviser("A1", "2025-08-01", adviser_passport_number="p 123 456", **ids),
        adviser("A2", "2025-08-02", adviser_passport_number="P123456", **ids),
        adviser("A3", "2025-08-03", adviser_passport_number="P 123456", **ids),
    ]
    assert table_1c(ws, rows)["tables"]["1C"] == {
        "PP:P123456:FRA:1980-05-05": {"received": 3, "closed": 0, "upheld": 0, "redress": 0},
    }


def test_same_ni_number_with_another_date_of_birth_stays_another_adviser(ws) -> None:
    rows = [
        adviser("A1", "2025-08-01", adviser_ni_number="qq 123456 c", adviser_date_of_birth="1970-01-31"),
        adviser("A2", "2025-08-02", adviser_ni_number="QQ123456C", adviser_date_of_birth="1971-01-31"),
    ]
    assert sorted(table_1c(ws, rows)["tables"]["1C"]) == ["NI:QQ123456C:1970-01-31", "NI:QQ123456C:1971-01-31"]


def test_identifier_set_is_checked_on_the_normalised_values(ws) -> None:
    # An NI number with spaces but no date of birth is still an incomplete set: one error, value masked.
    errors = api.validate(ws.paths([adviser("A1", "2025-08-01", adviser_ni_number="qq 123456 c")])).errors
    assert list(errors["rule"]) == ["adviser_identifier_set"]
    assert errors.iloc[0]["complaint_id"] == "A1"


def test_findings_mask_identifiers_in_their_normalised_form(ws) -> None:
    rows = [adviser("A1", "2025-08-01", adviser_irn="ab c12345", adviser_date_of_birth="1980-13-01")]
    report = api.validate(ws.paths(rows))
    found = report.errors[report.errors["column"] == "adviser_date_of_birth"].iloc[0]
    assert found["value"] == "**********"  # no character of 1980-13-01
    text = report.summary()
    assert "ABC12345" not in text and "ab c12345" not in text and "1980-13-01" not in text


def test_adviser_with_only_an_older_complaint_still_open_is_not_a_row(ws) -> None:
    rows = [
        adviser("OLD", "2025-03-03", adviser_irn="OLD00001"),  # outstanding at 1 July, still open
        adviser("NEW", "2025-08-01", adviser_irn="NEW00001"),
    ]
    document = table_1c(ws, rows)
    assert document["tables"]["1C"] == {"NEW00001": {"received": 1, "closed": 0, "upheld": 0, "redress": 0}}


def test_only_older_open_complaints_give_no_rows_but_no_nil_return(ws) -> None:
    document = table_1c(ws, [adviser("OLD", "2025-03-03", adviser_irn="OLD00001")])
    assert document["nil_return"] is False  # a complaint was outstanding at the period start
    assert document["tables"]["1C"] == {}


@pytest.mark.parametrize(
    "closed, outcome, expected",
    [
        ("2025-07-01", "not_upheld", {"received": 0, "closed": 1, "upheld": 0, "redress": 0}),  # closed on day 1
        ("2025-12-31", "upheld", {"received": 0, "closed": 1, "upheld": 1, "redress": 0}),  # closed on the last day
        ("2026-01-01", "upheld", None),  # closed the day after the period: still open in it
    ],
)
def test_adviser_with_an_older_complaint_closed_in_the_period_is_a_row(ws, closed, outcome, expected) -> None:
    rows = [adviser("OLD", "2025-03-03", closed, outcome, adviser_irn="OLD00001")]
    assert table_1c(ws, rows)["tables"]["1C"].get("OLD00001") == expected


def test_redress_paid_in_the_period_on_a_complaint_closed_earlier_is_no_row_and_a_warning(ws) -> None:
    rows = [adviser("OLD", "2025-03-03", "2025-06-10", "upheld", adviser_irn="OLD00001")]
    redress = [redress_line("OLD", "2025-08-01", "distress_inconvenience", "150.50")]
    documents, warnings = documents_and_warnings(
        ws, rows, [ADVICE], "123456", YEAR_END, redress=redress, redress_attribution="paid_in_period"
    )
    assert documents["annex1c"]["tables"]["1C"] == {}
    [found] = warnings["annex1c"].to_dict("records")
    assert (found["rule"], found["column"], found["value"]) == ("adviser_redress_without_row", "1C:redress", 151)
    assert found["message"] == (
        "£151 redress paid in the period on 1 upheld complaint(s) closed in an earlier period (OLD) is not in "
        "Annex 1C: its adviser(s) had nothing received, closed or upheld in this period, so are not rows"
    )
    assert "OLD00001" not in found["message"]


def test_closed_in_period_attribution_gives_no_such_warning(ws) -> None:
    rows = [adviser("OLD", "2025-03-03", "2025-06-10", "upheld", adviser_irn="OLD00001")]
    redress = [redress_line("OLD", "2025-08-01", "distress_inconvenience", "150.50")]
    documents, warnings = documents_and_warnings(ws, rows, [ADVICE], "123456", YEAR_END, redress=redress)
    assert documents["annex1c"]["tables"]["1C"] == {}
    assert warnings["annex1c"].empty


def test_html_of_annex_1c_shows_no_identifier_in_any_form(ws) -> None:
    rows = [
        adviser("A1", "2025-08-01", adviser_irn="abc 12345"),
        adviser("A2", "2025-08-01", adviser_ni_number="qq 123456 c", adviser_date_of_birth="1970-01-31"),
        adviser(
            "A3",
            "2025-08-01",
            adviser_passport_number="p 123 456",
            adviser_date_of_birth="1980-05-05",
            adviser_nationality="FRA",
        ),
    ]
    shown = table_frame(table_1c(ws, rows), "1C")
    html = shown.to_html()
    assert list(shown.index) == [
        "Adviser 1 (keyed by IRN)",
        "Adviser 2 (keyed by NI number and date of birth)",
        "Adviser 3 (keyed by passport, nationality and date of birth)",
    ]
    for identifier in ("ABC12345", "abc 12345", "QQ123456C", "qq 123456 c", "P123456", "1970-01-31", "FRA"):
        assert identifier not in html


# ============================================================================= 5. errors


def errors_of(ws, rows, **kwargs) -> pd.DataFrame:
    return api.validate(ws.paths(rows, **kwargs)).errors


def one(frame: pd.DataFrame, rule: str) -> dict:
    hits = frame[frame["rule"] == rule]
    assert len(hits) == 1, frame[["rule", "complaint_id", "column", "value"]].to_string()
    return hits.iloc[0].to_dict()


GOOD = complaint("OK1", "2025-02-03", "2025-02-04", "upheld")


def test_app_fraud_role_without_payment_service_is_an_error(ws) -> None:
    found = one(
        errors_of(ws, [GOOD, complaint("F1", "2025-02-03", app_fraud_role="payer_psp")]),
        "app_fraud_without_payment_service",
    )
    assert (found["file"], found["line"], found["complaint_id"]) == ("complaints.csv", 3, "F1")
    assert (found["column"], found["value"]) == ("app_fraud_role,payment_service", "payer_psp")
    assert found["message"] == (
        "app_fraud_role is given but payment_service is empty: an APP fraud complaint (Annex 1AD Table 4) is "
        "also reported under its service grouping (DISP 1 Annex 1AA); give its payment_service"
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"app_fraud_role": "payee_psp", "payment_service": "credit_transfers", "payment_cause": "other"},
        {"payment_service": "credit_transfers", "payment_cause": "other"},
        {},
    ],
)
def test_app_fraud_check_passes_with_a_service_or_without_a_role(ws, extra) -> None:
    assert errors_of(ws, [complaint("F1", "2025-02-03", **extra)], firms=[PSP]).empty


GOODWILL_ERROR = (
    "a goodwill redress line on a no_decision complaint whose goodwill_payment is false: the flag decides whether "
    "the complaint counts as upheld (DISP 1.10.3G(2)); set goodwill_payment to true, or correct the line's "
    "redress_type"
)


@pytest.mark.parametrize("flag", [None, "false", "FALSE", "False"])
def test_goodwill_line_on_no_decision_without_the_flag_is_an_error(ws, flag) -> None:
    extra = {} if flag is None else {"goodwill_payment": flag}
    rows = [GOOD, complaint("G1", "2025-02-03", "2025-02-10", "no_decision", **extra)]
    redress = [
        redress_line("OK1", "2025-02-04", "distress_inconvenience", "5"),
        redress_line("G1", "2025-02-10", "goodwill", "25"),
    ]
    report = api.validate(ws.paths(rows, redress=redress))
    found = one(report.errors, "goodwill_line_on_no_decision_without_flag")
    assert (found["file"], found["line"], found["complaint_id"], found["firm_frn"]) == (
        "redress.csv",
        3,
        "G1",
        "123456",
    )
    assert (found["column"], found["value"]) == ("goodwill_payment", flag or "false")
    assert found["message"] == GOODWILL_ERROR
    assert report.warnings.empty


@pytest.mark.parametrize(
    "flag, redress_type",
    [("true", "goodwill"), ("TRUE", "goodwill"), ("false", "distress_inconvenience"), ("false", "financial_loss")],
)
def test_no_decision_goodwill_check_edges(ws, flag, redress_type) -> None:
    rows = [complaint("G1", "2025-02-03", "2025-02-10", "no_decision", goodwill_payment=flag)]
    report = api.validate(ws.paths(rows, redress=[redress_line("G1", "2025-02-10", redress_type, "25")]))
    assert report.findings.empty


def test_goodwill_line_on_other_outcomes_is_one_warning_listing_the_complaints(ws) -> None:
    rows = [
        complaint("U1", "2025-02-03", "2025-02-10", "upheld"),
        complaint("N1", "2025-02-03", "2025-02-10", "not_upheld"),
        complaint("P1", "2025-02-03", "2025-02-10", "partially_upheld"),
        complaint("O1", "2025-02-03"),  # still open
        complaint("T1", "2025-02-03", "2025-02-10", "not_upheld", goodwill_payment="true"),  # flag agrees
    ]
    redress = [
        redress_line("U1", "2025-02-10", "goodwill", "5"),
        redress_line("N1", "2025-02-10", "goodwill", "5"),
        redress_line("N1", "2025-02-11", "goodwill", "5"),  # a second line: the complaint is listed once
        redress_line("P1", "2025-02-10", "goodwill", "5"),
        redress_line("O1", "2025-02-10", "goodwill", "5"),
        redress_line("T1", "2025-02-10", "goodwill", "5"),
    ]
    report = api.validate(ws.paths(rows, redress=redress))
    assert report.ok
    [found] = report.warnings.to_dict("records")
    assert (found["rule"], found["file"], found["column"]) == (
        "goodwill_line_without_flag",
        "redress.csv",
        "goodwill_payment",
    )
    assert found["value"] == "U1, N1, P1, O1"
    assert found["message"] == (
        "4 complaint(s) not closed as no_decision have a goodwill redress line but goodwill_payment false: on "
        "these outcomes the flag changes no figure (DISP 1.10.3G(2)), but one of the two is wrong"
    )


def test_goodwill_error_and_warning_together(ws) -> None:
    rows = [
        complaint("G1", "2025-02-03", "2025-02-10", "no_decision"),
        complaint("N1", "2025-02-03", "2025-02-10", "not_upheld"),
    ]
    redress = [redress_line("G1", "2025-02-10", "goodwill", "5"), redress_line("N1", "2025-02-10", "goodwill", "5")]
    report = api.validate(ws.paths(rows, redress=redress))
    assert list(report.errors["rule"]) == ["goodwill_line_on_no_decision_without_flag"]
    assert list(report.warnings["value"]) == ["N1"]


# ============================================================================= 5. Annex 1AD warnings


def pay(cid: str, received: str, service: str, closed: str | None = None, outcome: str | None = None) -> dict:
    return complaint(cid, received, closed, outcome, payment_service=service, payment_cause="other")


def volumes(services: list[str]) -> list[dict]:
    return [
        {"firm_frn": "123456", "period_end": "2025-12-31", "measure": "payment_volume", "key": s, "value": 1000}
        for s in services
    ]


def warnings_1ad(ws, rows, context=None) -> pd.DataFrame:
    _, warnings = documents_and_warnings(ws, rows, [PSP], "123456", YEAR_END, context=context)
    return warnings["annex1ad"]


def test_five_services_with_complaints_do_not_warn(ws) -> None:
    services = ALL_SERVICES[:MAX_PAYMENT_SERVICES]
    rows = [pay(f"P{i}", "2025-03-03", s) for i, s in enumerate(services)]
    rows.append(pay("OLD", "2024-11-01", ALL_SERVICES[5]))  # outstanding only: its rows are blank, not counted
    assert warnings_1ad(ws, rows, context=volumes(ALL_SERVICES)).empty


def test_six_services_with_complaints_warn(ws) -> None:
    rows = [pay(f"P{i}", "2025-03-03", s) for i, s in enumerate(ALL_SERVICES[:5])]
    rows.append(pay("P5", "2024-11-01", ALL_SERVICES[5], "2025-01-06", "upheld"))  # closed in the year only
    [found] = warnings_1ad(ws, rows, context=volumes(ALL_SERVICES)).to_dict("records")
    assert (found["rule"], found["column"], found["value"]) == (
        "more_than_five_payment_services",
        "1:payment_service",
        6,
    )
    assert found["message"] == (
        "6 payment services have complaints in Annex 1AD (prepaid_cards_emoney_payments, credit_cards, "
        "debit_cash_cards, direct_debits, standing_orders, credit_transfers); DISP 1 Annex 1AA asks for up to a "
        "maximum of 5: check the service groupings"
    )


def test_service_with_complaints_but_no_volume_warns(ws) -> None:
    rows = [pay("P1", "2025-03-03", "credit_transfers"), pay("P2", "2025-03-03", "direct_debits")]
    found = warnings_1ad(ws, rows, context=volumes(["credit_transfers"]))
    assert list(found["rule"]) == ["no_payment_volume"]
    assert (found.iloc[0]["column"], found.iloc[0]["value"]) == ("3:direct_debits", "direct_debits")
    assert found.iloc[0]["message"] == (
        "direct_debits: complaints reported but no payment_volume figure for the period ending 2025-12-31, so its "
        "Table 3 volume is blank; add a context row (measure payment_volume, key direct_debits)"
    )


def test_volume_for_another_period_end_does_not_count(ws) -> None:
    context = [{**volumes(["credit_transfers"])[0], "period_end": "2024-12-31"}]
    found = warnings_1ad(ws, [pay("P1", "2025-03-03", "credit_transfers")], context=context)
    assert list(found["column"]) == ["3:credit_transfers"]


def test_declared_service_without_complaints_needs_no_volume(ws) -> None:
    # Every other declared service has no complaint and no figure: no warning for them.
    assert warnings_1ad(ws, [pay("P1", "2025-03-03", "credit_transfers")], context=volumes(["credit_transfers"])).empty


def test_1ad_warnings_do_not_stop_a_run_and_are_written(ws, tmp_path) -> None:
    from reportkit.runner import run

    rows = [pay(f"P{i}", "2025-03-03", s) for i, s in enumerate(ALL_SERVICES[:6])]
    outcome = run(ws.paths(rows, firms=[PSP]), "123456", YEAR_END, tmp_path, lambda m: None, notebooks=False)
    written = pd.read_csv(outcome.folder / "validation" / "warnings.csv")
    assert (written["rule"] == "more_than_five_payment_services").sum() == 1
    assert (written["rule"] == "no_payment_volume").sum() == 6
    assert (outcome.folder / "returns" / "annex1ad.json").exists()


# ============================================================================= 5. the change warning


def inputs_for(ws, rows, period: Period, firm: dict = FIRM, context: list[dict] | None = None) -> BuildInputs:
    prepared = api.prepare(ws.paths(rows, firms=[firm], context=context))
    return BuildInputs(
        prepared.complaints,
        prepared.redress_lines,
        prepared.context,
        prepared.config,
        [prepared.config.firms[firm["frn"]]],
        period,
    )


def change_rows(inputs: BuildInputs) -> pd.DataFrame:
    warnings = build_annex1(inputs).warnings
    if warnings is None:
        return pd.DataFrame(columns=["rule", "column", "value", "message"])
    return warnings[warnings["rule"] == "period_change_above_ratio"]


H1_2025 = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))


@pytest.mark.parametrize(
    "firm, period, previous",
    [
        (FIRM, H1_2025, Period(dt.date(2024, 7, 1), dt.date(2024, 12, 31))),
        (FIRM, Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31)), H1_2025),
        (
            {**FIRM, "annual_reporter": True},
            Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
            Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ),
        (
            {**FIRM, "accounting_reference_date": "03-31"},
            Period(dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
            Period(dt.date(2025, 10, 1), dt.date(2026, 3, 31)),
        ),
        # The period shortened to end on 31 December 2026 compares with the whole six months before it.
        (
            {**FIRM, "accounting_reference_date": "03-31"},
            Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
            Period(dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
        ),
        # No period of the firm ends the day before: the same number of months ending that day.
        (FIRM, Period(dt.date(2025, 2, 1), dt.date(2025, 7, 31)), Period(dt.date(2024, 8, 1), dt.date(2025, 1, 31))),
    ],
)
def test_previous_period_is_the_reporting_period_ending_the_day_before(ws, firm, period, previous) -> None:
    assert previous_period(inputs_for(ws, [GOOD], period, firm)) == previous


@pytest.mark.parametrize(
    "period, months",
    [
        (H1_2025, 6.0),
        (Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31)), 6.0),
        (Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), 12.0),
        (Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), 3.0),
        (Period(dt.date(2025, 4, 6), dt.date(2025, 10, 5)), 6.0),  # ARD 5 April
        (Period(dt.date(2026, 12, 16), dt.date(2026, 12, 31)), 0.53),  # ARD 15 December, shortened: 16 days
    ],
)
def test_length_in_months(period, months) -> None:
    assert length_in_months(period) == months


def _many(prefix: str, n: int, received: str) -> list[dict]:
    return [complaint(f"{prefix}{i}", received) for i in range(n)]


def test_change_counts_the_whole_previous_half_year(ws) -> None:
    # 1 July 2024 is the first day of the previous half-year (the day-count version started on 4 July).
    rows = _many("P", 10, "2024-07-01") + _many("X", 5, "2024-06-30") + _many("C", 30, "2025-03-03")
    [found] = change_rows(inputs_for(ws, rows, H1_2025)).to_dict("records")
    assert found["message"] == (
        "current_accounts: 10 complaints opened in the previous period, 30 in this one (change above the "
        "configured ratio 2.0; previous period 2024-07-01 to 2024-12-31)"
    )


@pytest.mark.parametrize("now, warns", [(30, False), (31, True)])
def test_change_ratio_edge_on_equal_lengths(ws, now, warns) -> None:
    rows = _many("P", 15, "2024-12-31") + _many("C", now, "2025-01-01")
    assert len(change_rows(inputs_for(ws, rows, H1_2025))) == int(warns)


def test_change_below_the_minimum_count_does_not_warn(ws) -> None:
    rows = _many("P", 2, "2024-12-31") + _many("C", 19, "2025-01-01")  # 19 < 20 (change_warning_minimum)
    assert change_rows(inputs_for(ws, rows, H1_2025)).empty


SHORTENED = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
ARD_MARCH = {**FIRM, "accounting_reference_date": "03-31"}


def test_unequal_lengths_compare_per_month_and_say_so(ws) -> None:
    # 30 in six months (5 a month) against 36 in three (12 a month): more than twice as many a month.
    rows = _many("P", 30, "2026-05-01") + _many("C", 36, "2026-11-02")
    [found] = change_rows(inputs_for(ws, rows, SHORTENED, ARD_MARCH)).to_dict("records")
    assert (found["column"], found["value"]) == ("product:current_accounts", 36)
    assert found["message"] == (
        "current_accounts: 30 complaints opened in the previous period (2026-04-01 to 2026-09-30, 6 months: 5.0 a "
        "month), 36 in this one (2026-10-01 to 2026-12-31, 3 months: 12.0 a month); the periods differ in length, "
        "so complaints per month are compared (change above the configured ratio 2.0)"
    )


@pytest.mark.parametrize("now, warns", [(61, True), (60, False), (25, False), (15, False), (14, True)])
def test_per_month_ratio_edges(ws, now, warns) -> None:
    # 60 in six months = 10 a month; ratio 2 warns above 20 a month (over 60 in three months) or below 5 a month
    # (under 15 in three months). 25 would be a change above the ratio on raw counts (60 > 2 x 25), not a month.
    rows = _many("P", 60, "2026-05-01") + _many("C", now, "2026-11-02")
    assert len(change_rows(inputs_for(ws, rows, SHORTENED, ARD_MARCH))) == int(warns)
