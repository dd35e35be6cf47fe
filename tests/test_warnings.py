"""Warnings: reported, never stopping the run (docs/rules.md "Validation: errors and warnings")."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reportkit import api
from tests.conftest import H1_2025_END, complaint


def warnings_of(ws, rows, **kwargs) -> pd.DataFrame:
    prepared = api.prepare(ws.paths(rows, **kwargs))
    result = next(r for r in api.build_returns(prepared, "123456", H1_2025_END) if r.code == "annex1")
    return result.warnings if result.warnings is not None else pd.DataFrame(columns=["rule", "column", "message"])


def test_no_context_figures_for_the_period(ws) -> None:
    found = warnings_of(ws, [complaint("C1", "2025-02-03")])
    assert list(found["rule"]) == ["no_context_figures"]
    assert "no provision or intermediation figures for the period ending 2025-06-30" in found.iloc[0]["message"]


def test_closed_more_than_outstanding_plus_opened() -> None:
    # From one consistent extract this cannot happen (every closed complaint was outstanding or opened); the
    # check guards facts built from an extract missing part of its history, so it is tested on facts directly.
    from reportkit.returns.common import closed_exceeds_open_warnings

    facts = pd.DataFrame({"closed": [1, 1, 1], "outstanding_at_start": [0, 0, 1], "opened": [1, 0, 0]})
    rows = pd.Series(["credit_cards", "credit_cards", "current_accounts"])
    [found] = closed_exceeds_open_warnings("annex1", "5", rows, facts)
    assert found.iloc[0]["column"] == "5:credit_cards"
    assert "2 closed but only 0 outstanding at start + 1 opened" in found.iloc[0]["message"]


def test_change_above_ratio_against_the_previous_period(ws) -> None:
    rows = [complaint(f"P{i}", "2024-09-02", "2024-09-03", "upheld") for i in range(10)]
    rows += [complaint(f"C{i}", "2025-03-03", "2025-03-04", "upheld") for i in range(30)]
    context = [
        {
            "firm_frn": "123456",
            "period_end": "2025-06-30",
            "measure": "provision",
            "key": "current_accounts",
            "value": 10,
        }
    ]
    found = warnings_of(ws, rows, context=context)
    change = found[found["rule"] == "period_change_above_ratio"]
    assert list(change["column"]) == ["product:current_accounts"]
    assert "10 complaints opened in the previous period, 30 in this one" in change.iloc[0]["message"]
    steady = [complaint(f"P{i}", "2024-09-02", "2024-09-03", "upheld") for i in range(25)] + rows[10:]
    assert "period_change_above_ratio" not in set(warnings_of(ws, steady, context=context)["rule"])


def test_warnings_do_not_stop_a_run_and_are_written(ws, tmp_path) -> None:
    from reportkit.runner import run

    outcome = run(
        ws.paths([complaint("C1", "2025-02-03", product="travel", cause="other")]),
        "123456",
        H1_2025_END,
        tmp_path,
        lambda m: None,
        notebooks=False,
    )
    written = pd.read_csv(outcome.folder / "validation" / "warnings.csv")
    assert {"undeclared_product", "no_context_figures"} <= set(written["rule"])
    assert outcome.warnings == len(written)


def test_context_figures_can_come_from_excel(ws) -> None:
    context = pd.DataFrame(
        [
            {
                "firm_frn": "123456",
                "period_end": dt.datetime(2025, 6, 30),
                "measure": "provision",
                "key": "current_accounts",
                "value": 2000,
            }
        ]
    )
    path = ws.root / "context.xlsx"
    context.to_excel(path, index=False)
    paths = ws.paths([complaint("C1", "2025-02-03")])
    prepared = api.prepare(api.InputPaths.of(paths.config, paths.complaints, None, path))
    document = api.build_returns(prepared, "123456", H1_2025_END)[0].document
    assert document["tables"]["3"]["banking_credit_cards"]["provision"] == 2000
