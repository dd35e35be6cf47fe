"""Group (joint) reporting: one return for all members, nil returns for the others, thresholds on the total."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reportkit import api, pipeline
from reportkit.errors import InputError
from reportkit.runner import run
from tests.conftest import FIRM, H1_2025_END, complaint

H1 = dt.date(2025, 6, 30)
BANK = {**FIRM, "returns": ["annex1", "annex1c"]}
SCOTS = {
    **FIRM,
    "frn": "234567",
    "name": "Scottish Sister Ltd",
    "business_days": "SCT",
    "returns": ["annex1"],
    "products": ["credit_cards"],
    "credit_activities": [],
}
GROUP = {
    "id": "example-group",
    "name": "Example Group",
    "reporting_firm": "123456",
    "members": ["123456", "234567"],
    "returns": ["annex1"],
}


def group_build(ws, rows, firms=(BANK, SCOTS), groups=(GROUP,)) -> api.Built:
    prepared = api.prepare(ws.paths(rows, firms=list(firms), groups=list(groups)))
    return api.build_all(prepared, "example-group", H1)


def test_joint_return_covers_every_member_with_nil_returns_for_the_others(ws) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("S1", "2025-02-03", firm_frn="234567", product="credit_cards")]
    built = group_build(ws, rows)
    documents = {r.stem: r.document for r in built.results}
    assert set(documents) == {"annex1", "annex1--nil-234567", "annex1c--123456"}
    joint = documents["annex1"]
    assert (joint["reporting_firm"], joint["firms"]) == ("123456", ["123456", "234567"])
    assert joint["header"]["group_reporting"] is True and joint["header"]["additional_frns"] == ["234567"]
    assert joint["header"]["opened"] == 2
    nil = documents["annex1--nil-234567"]
    assert (nil["reporting_firm"], nil["firms"], nil["nil_return"]) == ("234567", ["234567"], True)
    assert all(v is None for table in nil["tables"].values() for row in table.values() for v in row.values())
    assert documents["annex1c--123456"]["firms"] == ["123456"]  # not reported jointly: per member


def test_thresholds_apply_to_the_joint_total(ws) -> None:
    rows = [complaint(f"C{i}", "2025-02-03") for i in range(300)]
    rows += [complaint(f"S{i}", "2025-02-03", firm_frn="234567", product="credit_cards") for i in range(200)]
    documents = {r.stem: r.document for r in group_build(ws, rows).results}
    assert documents["annex1"]["header"]["part_a"] == "A-2"
    assert documents["annex1b"]["header"]["firms_covered"] == [
        {"frn": "123456", "name": "Example Bank plc"},
        {"frn": "234567", "name": "Scottish Sister Ltd"},
    ]


def test_business_days_follow_each_complaints_own_firm(ws) -> None:
    rows = [
        complaint("E1", "2024-12-31", "2025-01-07", "upheld"),
        complaint("S1", "2024-12-31", "2025-01-07", "upheld", firm_frn="234567", product="credit_cards"),
    ]
    joint = next(r.document for r in group_build(ws, rows).results if r.stem == "annex1")
    table = joint["tables"]["2"]["banking_credit_cards"]
    assert (table["closed_within_3_days"], table["closed_3_days_to_8_weeks"]) == (1, 1)  # Scotland's 2 January


def test_members_with_different_reference_dates_are_refused(ws) -> None:
    march = {**SCOTS, "accounting_reference_date": "03-31"}
    with pytest.raises(
        InputError,
        match="group example-group: members have different accounting reference dates "
        r"\(123456: 12-31, 234567: 03-31\)",
    ):
        group_build(ws, [complaint("C1", "2025-02-03")], firms=(BANK, march))


def test_group_run_writes_joint_and_nil_returns_under_the_group_folder(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=[BANK, SCOTS], groups=[GROUP])
    outcome = run(paths, "example-group", H1, tmp_path / "out", lambda m: None, notebooks=False)
    assert outcome.folder == tmp_path / "out" / "example-group" / "2025-06-30"
    nil = json.loads((outcome.folder / "returns" / "annex1--nil-234567.json").read_text())
    assert nil["nil_return"] is True
    assert (outcome.folder / "returns" / "example-group-2025-06-30.xlsx").is_file()
    assert {s.stem for s in outcome.skipped} == {"annex1b"}


def test_member_nil_returns_are_one_progress_line(ws, tmp_path) -> None:
    firms = [FIRM, {**FIRM, "frn": "234567", "name": "B"}, {**FIRM, "frn": "345678", "name": "C"}]
    group = {"id": "g", "name": "G", "reporting_firm": "123456", "members": ["123456", "234567", "345678"],
             "returns": ["annex1"]}  # fmt: skip
    said: list[str] = []
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=firms, groups=[group])
    run(paths, "g", H1_2025_END, tmp_path / "out", said.append, notebooks=False)
    nil_lines = [line for line in said if "nil return" in line]
    assert len(nil_lines) == 1
    assert nil_lines[0].endswith("built 2 member nil return(s) of annex1 (DISP 1.10.1CR) for 234567, 345678")


def test_each_member_nil_return_equals_the_builder_run_over_none_of_its_complaints(ws) -> None:
    """Nil returns are built once per item and given each member's FRN (pipeline.nil_return_for): for members
    that differ in products, activities, services, nation and consent, each equals its own build."""
    payments = {**FIRM, "frn": "345678", "name": "Pay Ltd", "business_days": "NIR", "returns": ["annex1", "annex1ad"],
                "products": [], "payment_services": ["credit_transfers"], "publication_consent": False}  # fmt: skip
    cmc = {**FIRM, "frn": "456789", "name": "Claims Ltd", "returns": ["annex1", "annex1ab", "annex1ad"],
           "products": ["property"], "credit_activities": ["debt_collecting"],
           "cmc_claim_types": ["personal_injury"]}  # fmt: skip
    group = {**GROUP, "members": ["123456", "234567", "345678", "456789"], "returns": ["annex1", "annex1ad"]}
    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld", payment_service="credit_transfers",
                      payment_cause="execution_of_transaction")]  # fmt: skip
    prepared = api.prepare(ws.paths(rows, firms=[BANK, SCOTS, payments, cmc], groups=[group]))
    plan = pipeline.plan_returns(prepared.config, "example-group", dt.date(2025, 12, 31))
    built = {r.stem: r for r in pipeline.build_planned(prepared, plan).results}
    nil_items = [item for item in plan.due if item.nil_for]
    assert {item.return_code for item in nil_items} == {"annex1", "annex1ad"} and len(nil_items) == 6
    for item in nil_items:
        own = pipeline.build_due(prepared, item)
        assert built[item.stem].document == own.document, item.stem
        assert built[item.stem].document["reporting_firm"] == item.nil_for
        assert len(built[item.stem].lineage) == 0 and not built[item.stem].warnings


@pytest.mark.slow
def test_the_closing_summary_names_member_nil_returns_in_one_line(ws, tmp_path) -> None:
    from click.testing import CliRunner

    from reportkit import cli

    firms = [FIRM, {**FIRM, "frn": "234567", "name": "B"}, {**FIRM, "frn": "345678", "name": "C"}]
    group = {"id": "g", "name": "G", "reporting_firm": "123456", "members": ["123456", "234567", "345678"],
             "returns": ["annex1"]}  # fmt: skip
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=firms, groups=[group])
    result = CliRunner().invoke(
        cli.main,
        ["run", "--config", str(paths.config), "--complaints", str(paths.complaints), "--entity", "g",
         "--period-end", H1_2025_END.isoformat(), "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = result.output.split("wrote ", 1)[1]
    assert "  produced 2 member nil return(s): annex1--nil-234567, annex1--nil-345678\n" in summary
    assert "produced annex1--nil-" not in summary
    assert "  produced annex1\n" in summary
