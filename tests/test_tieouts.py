"""Tie-outs: the returns' figures agree with each other and with a fresh count, or the run fails (exit 3)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from reportkit import api
from reportkit.returns import RETURNS
from reportkit.runner import run
from reportkit.tieouts import TieOutFailed, check_tieouts
from scripts.generate_golden import sample_paths
from tests.conftest import H1_2025_END, complaint

YEAR_END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def sample():
    prepared = api.prepare(sample_paths())
    return prepared, api.build_all(prepared, "sample-group", YEAR_END).results


def checked(prepared, results):
    return check_tieouts(results, prepared.complaints, prepared.redress_lines, prepared.context, prepared.config)


def test_every_tie_out_holds_on_the_sample_and_the_1ad_comparison_is_only_shown(sample) -> None:
    prepared, results = sample
    found = checked(prepared, results)
    assert all(t.passed for t in found if t.must_hold)
    checks = {(t.stem, t.check.split(":")[0]) for t in found}
    assert ("annex1", "joint opened = sum of the members computed alone") in checks
    assert ("annex1b", "banking_credit_cards") in checks
    shown = [t for t in found if not t.must_hold]
    assert [t.stem for t in shown] == ["annex1ad--100001", "annex1ad--100002"]
    assert (shown[1].left, shown[1].right) == (510, 498) and "not eligible complainants" in shown[1].why_they_may_differ


@pytest.mark.parametrize(
    "stem, edit, named",
    [
        ("annex1", lambda d: d["header"].update(opened=d["header"]["opened"] + 1), "header opened = sum"),
        ("annex1", lambda d: d["header"].update(part_a="A-1"), "Part A-1/A-2 follows"),
        ("annex1b", lambda d: d["tables"]["1B"]["home_finance"].update(closed=1), "home_finance: closed = Annex 1"),
        ("annex1ad--100002", lambda d: d["header"].update(outstanding_at_start=0), "still open at the period end"),
    ],
)
def test_a_figure_that_disagrees_fails_the_run_naming_both_figures(sample, stem, edit, named) -> None:
    prepared, results = sample
    tampered = copy.deepcopy(results)
    edit(next(r for r in tampered if r.stem == stem).document)
    with pytest.raises(TieOutFailed, match=f"tie-out\\(s\\) failed, so no return is published: {stem}: .*{named}"):
        checked(prepared, tampered)


def test_a_failed_tie_out_stops_run_with_exit_3_and_publishes_nothing(ws, tmp_path, monkeypatch) -> None:
    import dataclasses

    spec = RETURNS["annex1"]

    def wrong(inputs):
        result = spec.build(inputs)
        result.document["header"]["opened"] += 1  # a builder bug
        return result

    monkeypatch.setitem(RETURNS, "annex1", dataclasses.replace(spec, build=wrong))
    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld")]
    with pytest.raises(TieOutFailed) as failure:
        run(ws.paths(rows), "123456", H1_2025_END, tmp_path / "out", lambda _: None, notebooks=False)
    assert failure.value.exit_code == 3
    assert not (tmp_path / "out" / "123456" / "2025-06-30" / "returns").exists()
