"""One pipeline: the run keeps the entity's rows before validation, plans once, and asks the registry."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reportkit import api, pipeline
from reportkit.errors import ValidationFailed
from reportkit.returns import RETURNS, planned_returns
from reportkit.runner import run
from tests.conftest import FIRM, H1_2025_END, complaint

OTHER = {**FIRM, "frn": "234567", "name": "Other Firm Ltd"}


def quiet(_message: str) -> None:
    pass


def test_rows_of_another_configured_firm_are_counted_and_not_validated(ws, tmp_path) -> None:
    rows = [
        complaint("C1", "2025-02-03", "2025-02-04", "upheld"),
        complaint("X1", "2025-02-30", firm_frn="234567"),  # bad, but another firm's: not this run's to judge
        complaint("X2", "2025-02-03", product="space", firm_frn="234567"),
    ]
    said: list[str] = []
    outcome = run(ws.paths(rows, firms=[FIRM, OTHER]), "123456", H1_2025_END, tmp_path / "out", said.append, False)
    skipped = [line for line in said if "skipped" in line and "other configured firm" in line]
    assert len(skipped) == 1 and "2 complaints row(s) of 1 other configured firm(s)" in skipped[0]
    document = json.loads((outcome.folder / "returns" / "annex1.json").read_text())
    assert document["header"]["opened"] == 1


def test_the_same_rows_are_errors_when_their_firm_is_the_one_reported(ws, tmp_path) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("X1", "2025-02-30", firm_frn="234567")]
    with pytest.raises(ValidationFailed) as failed:
        run(ws.paths(rows, firms=[FIRM, OTHER]), "234567", H1_2025_END, tmp_path / "out", quiet, False)
    errors = failed.value.report.errors
    assert errors[["complaint_id", "rule"]].values.tolist() == [["X1", "date_format"]]


def test_an_frn_the_configuration_does_not_know_is_still_an_error_in_a_firms_run(ws, tmp_path) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("T1", "2025-02-03", firm_frn="123465")]  # a typo'd FRN
    with pytest.raises(ValidationFailed) as failed:
        run(ws.paths(rows, firms=[FIRM, OTHER]), "123456", H1_2025_END, tmp_path / "out", quiet, False)
    assert failed.value.report.errors[["complaint_id", "rule"]].values.tolist() == [["T1", "frn_in_configuration"]]


def test_keep_entity_rows_keeps_the_file_as_read_and_counts_the_rest(ws) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("X1", "2025-02-03", firm_frn="234567")]
    config, text = api.read_inputs(ws.paths(rows, firms=[FIRM, OTHER]))
    kept, other = pipeline.keep_entity_rows(text, config, ["123456"])
    assert kept.complaints["complaint_id"].tolist() == ["C1"]
    assert kept.complaints.attrs == text.complaints.attrs  # the hash of the bytes read stays with the rows
    assert (other.firms, other.rows) == (1, {"complaints": 1})
    kept, other = pipeline.keep_entity_rows(text, config, ["123456", "234567"])
    assert len(kept.complaints) == 2 and other.line() is None


def test_the_run_records_every_row_it_read_not_only_the_entitys(ws, tmp_path) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("X1", "2025-02-03", firm_frn="234567")]
    outcome = run(ws.paths(rows, firms=[FIRM, OTHER]), "123456", H1_2025_END, tmp_path / "out", quiet, False)
    facts = json.loads((outcome.folder / "run.json").read_text())
    complaints = next(i for i in facts["inputs"] if i["role"] == "complaints")
    assert complaints["rows"] == 2  # the file as read; the run's figures cover the firm's one row


def test_the_registry_says_what_is_planned_summarised_and_written_beside_the_json() -> None:
    assert planned_returns() == ["annex1", "annex1ab", "annex1ad", "annex1c"]
    from reportkit.config import RETURN_CODES

    assert tuple(planned_returns()) == RETURN_CODES  # a firm's configured returns are the planned ones
    assert {c for c, spec in RETURNS.items() if spec.summary} == {"annex1", "annex1ab"}
    assert {spec.summary.code for spec in RETURNS.values() if spec.summary} == {"annex1b"}
    assert [c for c, spec in RETURNS.items() if spec.outputs] == ["annex1b"]


def test_lineage_is_parquet_and_csv_only_on_request(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-04", "upheld")])
    plain = run(paths, "123456", H1_2025_END, tmp_path / "a", quiet, False).folder
    both = run(paths, "123456", H1_2025_END, tmp_path / "b", quiet, False, lineage_csv=True).folder
    assert sorted(p.name for p in (plain / "lineage").iterdir()) == ["annex1.parquet"]
    assert sorted(p.name for p in (both / "lineage").iterdir()) == ["annex1.csv", "annex1.parquet"]
    parquet = pd.read_parquet(plain / "lineage" / "annex1.parquet")
    csv = pd.read_csv(both / "lineage" / "annex1.csv", dtype=str)
    assert list(parquet.columns) == ["return", "table", "row", "column", "firm_frn", "complaint_id"]
    assert parquet.astype(str).equals(csv)
    assert (plain / "lineage" / "annex1.parquet").read_bytes() == (both / "lineage" / "annex1.parquet").read_bytes()


def test_the_public_api_is_exported_from_the_package(ws, tmp_path) -> None:
    import reportkit

    paths = reportkit.InputPaths.of(*ws.paths([complaint("C1", "2025-02-03", "2025-02-04", "upheld")]).files().values())
    assert reportkit.validate(paths).ok
    outcome = reportkit.run(paths, "123456", reportkit.parse_date("2025-06-30"), tmp_path / "out", quiet, False)
    assert outcome.produced == ["annex1"]
    assert issubclass(reportkit.ValidationFailed, reportkit.ReportkitError)
    assert issubclass(reportkit.TieOutFailed, reportkit.ReportkitError)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        reportkit.nothing  # noqa: B018


ROWS = [
    {"code": "closed", "measure": "closed"},
    {"code": "redress", "measure": "redress", "money": True},
    {"code": "fee_cap", "context": "cmc_fee_cap_firm_initiated", "money": True},
    {"code": "total", "sum_of": ["redress", "fee_cap"], "money": True},
]


def test_declared_rows_are_measures_context_figures_and_sums_from_the_layout() -> None:
    from reportkit.aggregate import declared_row_cells
    from reportkit.money import MONEY_UNITS_PER_POUND

    facts = pd.DataFrame({"closed": [1, 1, 0], "redress": [MONEY_UNITS_PER_POUND * 10, MONEY_UNITS_PER_POUND // 2, 0]})
    cells = declared_row_cells(ROWS, facts, {"cmc_fee_cap_firm_initiated": 100.4}.get, nil_return=False)
    assert cells == {
        "closed": {"value": 2},
        "redress": {"value": 11},
        "fee_cap": {"value": 100},
        "total": {"value": 111},
    }
    without_figure = declared_row_cells(ROWS, facts, {}.get, nil_return=False)
    assert without_figure["fee_cap"] == {"value": 0} and without_figure["total"] == {"value": 11}
    assert declared_row_cells(ROWS, facts, {}.get, nil_return=True) == {row["code"]: {"value": None} for row in ROWS}


def test_the_summary_is_built_from_the_facts_its_report_computed(ws) -> None:
    from reportkit.returns import annex1, annex1b

    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-04", "upheld") for i in range(3)]
    prepared = api.prepare(ws.paths(rows))
    item = api.plan_returns(prepared.config, "123456", H1_2025_END).due[0]
    inputs = pipeline.inputs_for(prepared, item)
    report = annex1.build_annex1(inputs)
    complaints, facts = inputs.computed[annex1.PERIOD_FACTS]
    assert int(facts["opened"].sum()) == report.document["header"]["opened"] == 3
    facts.loc[:, "opened"] = 0  # the summary reads these very facts, not a second derivation
    assert annex1b.complaints_in_report(inputs) == 0
    assert annex1b.complaints_in_report(pipeline.inputs_for(prepared, item)) == 3


def test_another_firms_rows_anywhere_in_the_file_change_none_of_the_firms_figures(ws, tmp_path) -> None:
    """Rows of other firms are skipped before classification; redress lines still find their complaints."""
    from tests.conftest import redress_line

    ours = [
        complaint("C1", "2025-02-03", "2025-02-04", "upheld"),
        complaint("C2", "2025-02-05", "2025-03-04", "not_upheld", product="credit_cards", cause="other"),
    ]
    theirs = [complaint(f"X{i}", "2025-02-03", "2025-02-04", "upheld", firm_frn="234567") for i in range(3)]
    lines = [
        redress_line("C1", "2025-02-04", "financial_loss", "120.00"),
        redress_line("C2", "2025-03-04", "financial_loss", "7.50"),
    ]
    lines += [redress_line("X1", "2025-02-04", "financial_loss", "999.00", frn="234567")]
    alone = run(
        ws.paths(ours, firms=[FIRM, OTHER], redress=lines[:2]), "123456", H1_2025_END, tmp_path / "a", quiet, False
    )
    mixed = run(
        ws.paths([*theirs[:2], ours[0], theirs[2], ours[1]], firms=[FIRM, OTHER], redress=[lines[2], *lines[:2]]),
        "123456",
        H1_2025_END,
        tmp_path / "b",
        quiet,
        False,
    )
    document = json.loads((alone.folder / "returns" / "annex1.json").read_text())
    assert json.loads((mixed.folder / "returns" / "annex1.json").read_text()) == document
    cells = document["tables"]["2"]["banking_credit_cards"]  # both lines counted, in whole pounds
    assert (cells["redress_upheld"], cells["redress_not_upheld"]) == (120, 8)
