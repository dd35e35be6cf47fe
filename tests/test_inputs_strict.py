"""Inputs that would change a figure without a word: context rows, group configuration, Parquet time zones,
far-future placeholder dates; and every run, page and sheet stating the redress basis it used."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest

from reportkit import api
from reportkit.errors import InputError, ValidationFailed
from reportkit.extract import read_complaints
from reportkit.measures import redress_basis_statement
from reportkit.runner import run
from reportkit.workbook import write_workbook
from tests.conftest import FIRM, H1_2025_END, complaint, redress_line

H2_2025_END = dt.date(2025, 12, 31)
SISTER = {**FIRM, "frn": "234567", "name": "Sister Ltd", "products": ["credit_cards"], "credit_activities": []}
PSP = {**FIRM, "returns": ["annex1", "annex1ad"], "payment_services": ["credit_transfers"]}
CMC = {
    **FIRM,
    "frn": "200001",
    "name": "Claims Ltd",
    "annual_reporter": True,
    "returns": ["annex1ab"],
    "products": [],
    "credit_activities": [],
    "cmc_claim_types": ["financial_services"],
}
GROUP = {
    "id": "g1",
    "name": "Group One",
    "reporting_firm": "123456",
    "members": ["123456", "234567"],
    "returns": ["annex1"],
}


def ctx(measure: str, key: str, value: float, period_end: str = "2025-06-30", frn: str = "123456") -> dict:
    """One context row."""
    return {"firm_frn": frn, "period_end": period_end, "measure": measure, "key": key, "value": value}


def findings(ws, context: list[dict], firms: list[dict] | None = None, rule: str | None = None) -> pd.DataFrame:
    errors = api.validate(ws.paths([complaint("C1", "2025-02-03")], context=context, firms=firms)).errors
    return errors if rule is None else errors[errors["rule"] == rule].reset_index(drop=True)


# --------------------------------------------------------------------------- context figures


def test_duplicate_context_rows_are_an_error_naming_both_lines_never_summed(ws) -> None:
    context = [
        ctx("provision", "current_accounts", 1592),  # line 2
        ctx("provision", "credit_cards", 500),  # line 3
        ctx("provision", "current_accounts", 1814),  # line 4: the same firm, period, measure and key
    ]
    found = findings(ws, context)
    assert list(found["rule"]) == ["context_duplicate", "context_duplicate"]
    assert list(found["line"]) == [2, 4]
    assert list(found["value"]) == ["provision current_accounts"] * 2
    assert found.iloc[0]["message"] == (
        "lines 2, 4 give the same firm_frn, period_end, measure and key: keep one row per firm, period, "
        "measure and key (figures are never summed)"
    )
    with pytest.raises(ValidationFailed):
        api.prepare(ws.paths([complaint("C1", "2025-02-03")], context=context))


def test_a_duplicate_without_a_key_and_the_same_key_for_two_firms(ws) -> None:
    context = [
        ctx("cmc_leads", "", 900, "2025-12-31", "200001"),
        ctx("cmc_leads", "", 100, "2025-12-31", "200001"),  # empty key: still the same row
        ctx("provision", "credit_cards", 10),
        ctx("provision", "credit_cards", 20, frn="234567"),  # another firm: not a duplicate
    ]
    found = findings(ws, context, firms=[FIRM, SISTER, CMC])
    assert list(found["rule"]) == ["context_duplicate", "context_duplicate"]
    assert list(found["line"]) == [2, 3]
    assert list(found["value"]) == ["cmc_leads", "cmc_leads"]


@pytest.mark.parametrize(
    "row, firms, expected",
    [
        (ctx("provision", "credit_cards", 5, "2025-03-31"), [FIRM], "2025-03-31 ends none of firm 123456's annex1"),
        (  # Annex 1AD runs by year: 30 June ends a half-year of Annex 1 but no Annex 1AD period
            ctx("payment_volume", "credit_transfers", 5, "2025-06-30"),
            [PSP],
            "2025-06-30 ends none of firm 123456's annex1ad",
        ),
        (  # an annual reporter's Annex 1AB periods end on its ARD only
            ctx("cmc_leads", "", 5, "2025-06-30", "200001"),
            [FIRM, CMC],
            "2025-06-30 ends none of firm 200001's annex1ab",
        ),
        (  # an annual reporter under Annex 1 likewise
            ctx("provision", "credit_cards", 5, "2025-06-30"),
            [{**FIRM, "annual_reporter": True}],
            "2025-06-30 ends none of firm 123456's annex1",
        ),
    ],
)
def test_a_period_end_that_ends_none_of_the_firms_periods_is_an_error(ws, row, firms, expected) -> None:
    found = findings(ws, [row], firms=firms)
    assert list(found["rule"]) == ["context_period_end"]
    assert found.iloc[0]["line"] == 2 and found.iloc[0]["column"] == "period_end"
    assert found.iloc[0]["message"] == (
        expected + " reporting periods, so the figure would never be reported: give the last day of one of "
        "its periods (reportkit calendar lists them) or remove the row"
    )


def test_rows_for_the_firms_other_periods_are_allowed_and_ignored(ws) -> None:
    context = [
        ctx("provision", "credit_cards", 500),
        ctx("provision", "credit_cards", 999, "2024-12-31"),  # the previous half-year
        ctx("provision", "credit_cards", 777, "2025-12-31"),  # the next one
        ctx("provision", "credit_cards", 3, "2021-06-30"),  # long ago, still a real period end
    ]
    assert findings(ws, context).empty
    table3 = ws.annex1([complaint("C1", "2025-02-03")], context=context)["tables"]["3"]
    assert table3["banking_credit_cards"] == {"provision": 500, "intermediation": None}


def test_a_figure_for_an_undeclared_product_or_service_says_how_to_fix_it(ws) -> None:
    context = [
        ctx("provision", "travel", 40),
        ctx("intermediation", "travel", 4),
        ctx("payment_volume", "direct_debits", 10, "2025-12-31"),
        ctx("payment_volume", "credit_transfers", 10, "2025-12-31"),  # declared
    ]
    found = findings(ws, context, firms=[PSP], rule="context_key_not_declared")
    assert list(found["line"]) == [2, 3, 4]
    messages = dict(zip(found["line"], found["message"], strict=True))
    assert messages[2] == (
        "firm 123456 does not declare travel in its products, so the figure would never be reported: "
        "add `travel` to `products` of firm 123456 or remove the row"
    )
    assert messages[4].endswith("add `direct_debits` to `payment_services` of firm 123456 or remove the row")


def test_a_key_that_is_no_code_gets_only_the_code_error(ws) -> None:
    found = findings(ws, [ctx("provision", "spaceships", 1)])
    assert list(found["rule"]) == ["context_product_key"]


# --------------------------------------------------------------------------- configuration


def test_a_second_group_with_the_same_id_is_refused(ws) -> None:
    second = {**GROUP, "members": ["234567"], "reporting_firm": "234567"}
    with pytest.raises(
        InputError,
        match=r"^configuration \S+config.yaml, line 37, column 7: groups\[1\]\.id: the id g1 is used by groups\[0\] "
        r"and groups\[1\]; a group id names one group, so give each group its own id$",
    ):
        api.prepare(ws.paths([complaint("C1", "2025-02-03")], firms=[FIRM, SISTER], groups=[GROUP, second]))


def test_a_firm_in_two_groups_reporting_the_same_return_jointly_is_refused(ws) -> None:
    other = {**FIRM, "frn": "345678", "name": "Third Ltd"}
    second = {**GROUP, "id": "g2", "name": "Group Two", "reporting_firm": "345678", "members": ["345678", "234567"]}
    with pytest.raises(
        InputError,
        match=r"^configuration \S+config.yaml, line \d+, column \d+: groups\[1\]\.returns: groups g1 and g2 both "
        r"report annex1 jointly for firm 234567, so its complaints would be reported twice; remove annex1 from the "
        r"returns of one group or firm 234567 from its members$",
    ):
        api.prepare(ws.paths([complaint("C1", "2025-02-03")], firms=[FIRM, SISTER, other], groups=[GROUP, second]))
    # Two groups sharing a member for different returns are fine.
    second = {**second, "returns": ["annex1c"]}
    config = api.prepare(
        ws.paths([complaint("C1", "2025-02-03")], firms=[FIRM, SISTER, other], groups=[GROUP, second])
    ).config
    assert [g.id for g in config.joint_groups("234567", "annex1")] == ["g1"]
    assert [g.id for g in config.joint_groups("234567", "annex1c")] == ["g2"]


def test_a_firm_run_on_its_own_for_a_jointly_reported_return_gets_a_warning(ws, tmp_path) -> None:
    bank = {**FIRM, "returns": ["annex1", "annex1c"]}
    paths = ws.paths(
        [complaint("S1", "2025-02-03", firm_frn="234567", product="credit_cards")],
        firms=[bank, SISTER],
        groups=[{**GROUP, "returns": ["annex1"]}],
    )
    lines: list[str] = []
    outcome = run(paths, "234567", H1_2025_END, tmp_path, lines.append, notebooks=False)
    message = (
        "group g1 reports annex1 jointly for firm 234567 (reporting firm 123456): this annex1 covers the firm "
        "alone and is not what it files; run --entity g1 for the joint return and the members' nil returns"
    )
    assert any(line.endswith(f"  warning: {message}") for line in lines)
    written = pd.read_csv(outcome.folder / "validation" / "warnings.csv")
    joint = written[written["rule"] == "reported_jointly_by_group"]
    assert list(joint["message"]) == [message]
    assert outcome.produced == ["annex1"]  # the run continues
    # The group's own run, and a return the group does not report jointly, get no such warning.
    prepared = api.prepare(paths)
    for entity in ("g1", "123456"):
        for result in api.build_all(prepared, entity, H1_2025_END).results:
            rules = set(result.warnings["rule"]) if result.warnings is not None else set()
            assert ("reported_jointly_by_group" in rules) == (entity == "123456" and result.code == "annex1")


# --------------------------------------------------------------------------- Parquet dates


def parquet(ws, name: str, rows: list[dict], **dates: pd.Series) -> str:
    frame = pd.DataFrame(rows)
    for column, values in dates.items():
        frame[column] = values
    path = ws.root / name
    frame.to_parquet(path, index=False)
    return path


def test_timestamps_with_a_time_zone_take_their_london_date(ws) -> None:
    rows = [complaint(f"C{i}", "2025-01-01", "2025-01-01", "upheld") for i in range(3)]
    received = pd.Series(
        pd.to_datetime(
            [
                "2025-06-30T23:00:00Z",  # midnight in London (BST): 1 July
                "2025-06-30T22:59:59Z",  # still 30 June in London
                "2025-01-15T23:30:00Z",  # winter: London is on UTC
            ]
        )
    )
    paris = pd.Series(pd.to_datetime(["2025-07-01T00:30:00"] * 3).tz_localize("Europe/Paris"))  # 23:30 in London
    path = parquet(ws, "complaints.parquet", rows, received_date=received, closed_date=paris)
    frame = read_complaints(path)
    assert list(frame["received_date"]) == ["2025-07-01", "2025-06-30", "2025-01-15"]
    assert list(frame["closed_date"]) == ["2025-06-30"] * 3
    naive = pd.Series(pd.to_datetime(["2025-06-30T23:00:00"] * 2))
    dates = pd.Series([dt.date(2025, 6, 30), dt.date(2025, 7, 1)])
    path = parquet(ws, "naive.parquet", rows[:2], received_date=naive, closed_date=dates)
    frame = read_complaints(path)
    assert list(frame["received_date"]) == ["2025-06-30", "2025-06-30"]  # naive: as written
    assert list(frame["closed_date"]) == ["2025-06-30", "2025-07-01"]  # dates: unchanged


def test_a_utc_london_midnight_changes_outstanding_at_start_and_upheld_redress(ws) -> None:
    rows = [
        complaint("C1", "2025-01-01"),  # received 1 July in London: opened in H2, not outstanding at its start
        complaint("C2", "2025-01-01"),  # received 2 June: outstanding at the start of H2
        complaint("C3", "2025-01-01", "2025-01-01", "upheld", redress_amount="1000"),  # closed 1 July in London
    ]
    received = pd.Series(pd.to_datetime(["2025-06-30T23:00:00Z", "2025-06-02T09:00:00Z", "2025-05-01T09:00:00Z"]))
    closed = pd.Series(pd.to_datetime([None, None, "2025-06-30T23:30:00Z"], utc=True))
    path = parquet(ws, "complaints.parquet", rows, received_date=received, closed_date=closed)
    paths = ws.paths(rows)
    prepared = api.prepare(api.InputPaths.of(paths.config, path))
    h2 = next(r for r in api.build_returns(prepared, "123456", H2_2025_END) if r.code == "annex1").document
    assert (h2["header"]["outstanding_at_start"], h2["header"]["opened"]) == (2, 1)  # C2 and C3; C1 opened
    assert h2["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 1000
    h1 = next(r for r in api.build_returns(prepared, "123456", H1_2025_END) if r.code == "annex1").document
    assert h1["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 0  # not closed in H1


# --------------------------------------------------------------------------- far-future placeholders

PLACEHOLDER = (
    "is a placeholder, not a date (year 2100 or later): leave {column} empty while there is no date "
    "(an open complaint has an empty closed_date)"
)


@pytest.mark.parametrize("closed", ["9999-12-31", "2100-01-01", "9999-02-30"])
def test_a_far_future_closed_date_is_named_as_a_placeholder(ws, closed) -> None:
    errors = api.validate(ws.paths([complaint("C1", "2025-02-03", closed, "upheld")])).errors
    assert list(errors["rule"]) == ["far_future_placeholder"]  # not also "outside the calendar" or "not a date"
    assert (errors.iloc[0]["complaint_id"], errors.iloc[0]["column"], errors.iloc[0]["value"]) == (
        "C1",
        "closed_date",
        closed,
    )
    assert errors.iloc[0]["message"] == PLACEHOLDER.format(column="closed_date")


def test_the_year_before_the_placeholder_threshold_is_outside_the_calendar(ws) -> None:
    errors = api.validate(ws.paths([complaint("C1", "2025-02-03", "2099-12-31", "upheld")])).errors
    assert list(errors["rule"]) == ["date_in_calendar_range"]


def test_placeholders_in_every_date_column_and_in_parquet(ws) -> None:
    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld")]
    redress = [redress_line("C1", "9999-12-31", "distress_inconvenience", "10")]
    context = [ctx("provision", "credit_cards", 1, "9999-12-31")]
    errors = api.validate(ws.paths(rows, redress=redress, context=context)).errors
    assert list(zip(errors["file"], errors["column"], errors["rule"], strict=True)) == [
        ("context.csv", "period_end", "far_future_placeholder"),
        ("redress.csv", "paid_date", "far_future_placeholder"),
    ]
    # paid_date and period_end are required: the fix is the real date, not an empty cell
    assert errors.iloc[1]["message"] == "is a placeholder, not a date (year 2100 or later): give the real paid_date"
    assert errors.iloc[0]["message"].endswith("give the real period_end")
    path = parquet(ws, "complaints.parquet", rows, closed_date=pd.Series([dt.date(9999, 12, 31)]))
    paths = ws.paths(rows)
    errors = api.validate(api.InputPaths.of(paths.config, path)).errors
    assert list(zip(errors["column"], errors["value"], errors["rule"], strict=True)) == [
        ("closed_date", "9999-12-31", "far_future_placeholder")
    ]


# --------------------------------------------------------------------------- redress basis

CLOSED_BASIS = (
    "Redress basis: closed_in_period (redress reported in the period its complaint closed, split by upheld "
    "status; set redress_attribution: paid_in_period to change)"
)
PAID_BASIS = (
    "Redress basis: paid_in_period (redress reported in the period it was paid, split by its complaint's upheld "
    "status at the period end; set redress_attribution: closed_in_period to change)"
)


def test_the_statement_of_each_basis() -> None:
    assert redress_basis_statement("closed_in_period") == CLOSED_BASIS
    assert redress_basis_statement("paid_in_period") == PAID_BASIS


@pytest.mark.parametrize("top, expected", [({}, CLOSED_BASIS), ({"redress_attribution": "paid_in_period"}, PAID_BASIS)])
def test_every_workbook_sheet_states_the_basis_near_its_header(ws, tmp_path, top, expected) -> None:
    firms = [{**PSP, "returns": ["annex1", "annex1ad", "annex1c"]}]
    rows = [
        complaint("C1", "2025-02-03", adviser_irn="ABC12345", payment_service="credit_transfers", payment_cause="other")
    ]
    prepared = api.prepare(ws.paths(rows, firms=firms, **top))
    results = api.build_returns(prepared, "123456", H2_2025_END)
    assert {r.code for r in results} == {"annex1", "annex1ad", "annex1c"}
    path = write_workbook(tmp_path / "book.xlsx", [(r.code, r) for r in results], prepared.config)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        labels = [row[1] for row in sheet.iter_rows(max_row=12, values_only=True)]  # column B (A: form numbers)
        assert labels.index(expected) == labels.index("Layout version") + 1, sheet.title


def test_the_run_summary_and_the_rendered_page_state_the_basis(ws, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from reportkit.cli import main

    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld", adviser_irn="ABC12345")]
    firms = [{**FIRM, "returns": ["annex1", "annex1c"]}]
    paths = ws.paths(rows, firms=firms, redress_attribution="paid_in_period")
    lines: list[str] = []
    outcome = run(paths, "123456", H1_2025_END, tmp_path / "run", lines.append, notebooks=True)
    assert outcome.redress_basis == PAID_BASIS
    assert json.loads((outcome.folder / "manifest.json").read_text())["redress_attribution"] == "paid_in_period"
    assert any(line.endswith(f"] {PAID_BASIS}") for line in lines)
    for page in ("annex1", "annex1c"):  # the Annex 1 notebook and the shared return notebook
        html = (outcome.folder / "html" / f"{page}.html").read_text(encoding="utf-8")
        assert f"<em>{PAID_BASIS}.</em>" in html, page
    validation_page = (outcome.folder / "html" / "validation.html").read_text(encoding="utf-8")
    assert "Redress basis" not in validation_page  # a return page states it, not the validation page

    real_run = run
    monkeypatch.setattr(
        "reportkit.runner.run", lambda *args, **kwargs: real_run(*args, **{**kwargs, "notebooks": False})
    )
    paths = ws.paths(rows)
    result = CliRunner().invoke(
        main,
        [
            "run",
            *("--config", str(paths.config), "--complaints", str(paths.complaints)),
            *("--entity", "123456", "--period-end", "2025-06-30", "--out", str(tmp_path / "cli")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"\n  {CLOSED_BASIS}\n" in result.stdout


# --------------------------------------------------------------------------- review follow-ups


def test_a_key_on_a_whole_firm_measure_is_an_error_never_summed(ws) -> None:
    context = [
        ctx("cmc_leads", "", 100, "2025-12-31", frn="200001"),
        ctx("cmc_leads", "x", 250, "2025-12-31", frn="200001"),
        ctx("cmc_claims_opened", "current_accounts", 5, "2025-12-31", frn="200001"),
    ]
    found = findings(ws, context, firms=[CMC], rule="context_key_not_allowed")
    assert list(found["line"]) == [3, 4]
    assert found["message"].iloc[0] == "cmc_leads is a figure for the whole firm and takes no key: leave key empty"


def test_figures_for_2027_half_years_are_rows_for_other_periods(ws) -> None:
    context = [ctx("provision", "credit_cards", 10, "2027-06-30"), ctx("provision", "credit_cards", 10, "2026-12-31")]
    assert findings(ws, context, rule="context_period_end").empty
    assert list(
        findings(ws, [ctx("provision", "credit_cards", 1, "2027-03-31")], rule="context_period_end")["line"]
    ) == [2]


def test_an_impossible_period_end_is_reported_once(ws) -> None:
    assert list(findings(ws, [ctx("provision", "credit_cards", 1, "2025-02-30")])["rule"]) == ["date_format"]


def test_missing_volume_warning_for_an_undeclared_service_says_to_declare_it_first(ws) -> None:
    rows = [complaint("P1", "2025-03-03", payment_service="debit_cash_cards", payment_cause="other")]
    prepared = api.prepare(ws.paths(rows, firms=[PSP]))
    annex1ad = next(r for r in api.build_returns(prepared, "123456", H2_2025_END) if r.code == "annex1ad")
    message = annex1ad.warnings.loc[annex1ad.warnings["rule"] == "no_payment_volume", "message"].iloc[0]
    assert message.endswith(
        "add debit_cash_cards to the firm's payment_services, then a context row (measure payment_volume, "
        "key debit_cash_cards)"
    )
