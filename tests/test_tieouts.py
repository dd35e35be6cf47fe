"""Tie-outs: the returns' figures agree with each other and with a fresh count, or the run fails (exit 3)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from reportkit import api
from reportkit.returns import RETURNS
from reportkit.runner import run
from reportkit.tieouts import TieOutFailed, _period, check_tieouts, member_counts
from scripts.generate_golden import sample_paths
from tests.conftest import FIRM, H1_2025_END, complaint

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
    assert ("annex1", "Part B") in checks
    assert any(stem == "annex1" and check.startswith("publication consent asked") for stem, check in checks)
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
        (
            "annex1",
            lambda d: d["tables"]["B"]["credit_broking"].update(
                closed=d["tables"]["B"]["credit_broking"]["closed"] + 1
            ),
            "Part B: outstanding at start \\+ received - closed = still open",
        ),
        ("annex1", lambda d: d["header"].update(publication_consent=None), "publication consent asked when"),
        (
            "annex1",
            lambda d: d["header"].update(outstanding_at_start=d["header"]["outstanding_at_start"] - 1),
            "joint outstanding_at_start = sum of the members computed alone: .* vs ",
        ),
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


def test_member_counts_count_each_member_afresh_including_a_member_without_complaints(sample) -> None:
    prepared, results = sample
    joint = next(r for r in results if r.stem == "annex1").document
    counts = member_counts(prepared.complaints, "part_a", ["100001", "100002", "100003", "999999"], _period(joint))
    assert list(counts.index) == ["100001", "100002", "100003", "999999"]
    assert counts.loc["999999"].tolist() == [0, 0]
    assert int(counts["opened"].sum()) == joint["header"]["opened"]
    assert int(counts["outstanding_at_start"].sum()) == joint["header"]["outstanding_at_start"]
    alone = api.build_all(prepared, "100002", YEAR_END).results
    assert (
        int(counts.loc["100002", "opened"]) == next(r for r in alone if r.code == "annex1").document["header"]["opened"]
    )


def test_a_joint_annex1c_ties_out_to_its_members_received(ws) -> None:
    advisers = [
        {**FIRM, "frn": frn, "name": f"Advice {frn}", "returns": ["annex1", "annex1c"], "products": ["isas_investment"]}
        for frn in ("123456", "234567")
    ]
    group = {"id": "g", "reporting_firm": "123456", "members": ["123456", "234567"], "returns": ["annex1", "annex1c"]}
    rows = [
        complaint(f"C{i}", "2025-02-03", "2025-02-10", "upheld", firm_frn=frn, product="isas_investment",
                  adviser_irn=f"ABC{i:05d}")
        for i, frn in enumerate(["123456", "123456", "234567"])
    ]  # fmt: skip
    prepared = api.prepare(ws.paths(rows, firms=advisers, groups=[group]))
    found = checked(prepared, api.build_all(prepared, "g", H1_2025_END).results)
    joint = [t for t in found if t.stem == "annex1c" and t.check.startswith("joint")]
    assert [(t.check, t.left, t.right) for t in joint] == [("joint opened = sum of the members computed alone", 3, 3)]
