"""Invariants of the counting rules, on extracts hypothesis generates (DISP 1.10.7R, 1.10.3G, 1.10.1CR).

For any extract: the closure bands partition the complaints closed in the period, upheld never exceeds closed,
the header's opened equals the sum of the opened table, and a joint return equals the sum of its members
computed alone.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit import api, rules
from tests.conftest import FIRM, Workspace

PERIOD_END = dt.date(2025, 6, 30)
PRODUCTS = ["current_accounts", "credit_cards", "travel"]
CAUSES = ["delays_timescales", "other", "disputes_over_sums_charges"]
OUTCOMES = ["upheld", "partially_upheld", "not_upheld", "no_decision"]
BANDS = ("closed_within_3_days", "closed_3_days_to_8_weeks", "closed_after_8_weeks")
SISTER = {**FIRM, "frn": "234567", "name": "Sister Bank", "business_days": "SCT"}
GROUP = {"id": "g", "name": "Group", "reporting_firm": "123456", "members": ["123456", "234567"], "returns": ["annex1"]}

day = st.dates(dt.date(2024, 10, 1), dt.date(2025, 6, 30))


@st.composite
def complaint_rows(draw, frns=("123456",)) -> list[dict]:
    rows = []
    for index in range(draw(st.integers(1, 25))):
        received = draw(day)
        closed = draw(st.one_of(st.none(), st.integers(0, 120).map(lambda n, r=received: r + dt.timedelta(n))))
        closed = closed if closed is None or closed <= dt.date(2025, 9, 30) else None
        rows.append(
            {
                "complaint_id": f"C{index}",
                "firm_frn": draw(st.sampled_from(frns)),
                "received_date": received.isoformat(),
                "closed_date": closed.isoformat() if closed else "",
                "outcome": draw(st.sampled_from(OUTCOMES)) if closed else "",
                "goodwill_payment": draw(st.sampled_from(["true", "false"])),
                "product": draw(st.sampled_from(PRODUCTS)),
                "cause": draw(st.sampled_from(CAUSES)),
                "eligible_complainant": draw(st.sampled_from(["true", "true", "false"])),
                "forwarded": draw(st.sampled_from(["none", "partial", "entire"])),
                "redress_amount": draw(st.sampled_from(["", "0", "10", "125"])),
            }
        )
    return rows


def build(tmp_path_factory, rows: list[dict], firms: list[dict], entity: str, **top) -> dict[str, dict]:
    ws = Workspace(tmp_path_factory.mktemp("ws"))
    prepared = api.prepare(ws.paths(rows, firms=firms, **top), check=False)
    return {r.stem: r.document for r in api.build_returns(prepared, entity, PERIOD_END)}


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BUILD_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.lists(st.tuples(day, st.one_of(st.none(), st.integers(0, 200)), st.sampled_from(["ENG", "SCT", "NIR"]))))
def test_bands_partition_closed_complaints(cases) -> None:
    received = pd.Series([pd.Timestamp(r) for r, _, _ in cases], dtype="datetime64[s]")
    closed = pd.Series(
        [pd.Timestamp(r + dt.timedelta(n)) if n is not None else pd.NaT for r, n, _ in cases], dtype="datetime64[s]"
    )
    nation = pd.Series([n for _, _, n in cases], dtype=object)
    band = rules.annex1_time_band(received, closed, nation)
    assert (band.notna() == closed.notna()).all()  # every closed complaint in exactly one band, open ones in none
    assert set(band.dropna()) <= set(BANDS)
    days = (closed - received).dt.days
    assert (days[band == "closed_after_8_weeks"] > rules.EIGHT_WEEKS_CALENDAR_DAYS).all()
    assert (days[band.isin(BANDS[:2])] <= rules.EIGHT_WEEKS_CALENDAR_DAYS).all()


@BUILD_SETTINGS
@given(rows=complaint_rows())
def test_table_totals_agree_with_the_header_and_upheld_never_exceeds_closed(tmp_path_factory, rows) -> None:
    document = build(tmp_path_factory, rows, [FIRM], "123456")["annex1"]
    opened_table, closure_table = ("1", "2") if document["header"]["part_a"] == "A-1" else ("4", "5")
    opened = sum(v or 0 for row in document["tables"][opened_table].values() for v in row.values())
    if document["nil_return"]:
        assert document["header"]["opened"] is None and opened == 0
        return
    assert document["header"]["opened"] == opened
    in_scope = [r for r in rows if r["eligible_complainant"] == "true" and r["forwarded"] != "entire"]
    assert opened == sum("2025-01-01" <= r["received_date"] <= "2025-06-30" for r in in_scope)
    for cells in document["tables"][closure_table].values():
        closed = sum(cells[b] or 0 for b in BANDS)
        assert (cells["upheld"] or 0) <= closed
    closed_in_period = sum("2025-01-01" <= r["closed_date"] <= "2025-06-30" for r in in_scope if r["closed_date"])
    assert sum(sum(c[b] or 0 for b in BANDS) for c in document["tables"][closure_table].values()) == closed_in_period


@BUILD_SETTINGS
@given(rows=complaint_rows(frns=("123456", "234567")))
def test_joint_return_equals_the_sum_of_its_members_computed_alone(tmp_path_factory, rows) -> None:
    firms = [FIRM, SISTER]
    joint = build(tmp_path_factory, rows, firms, "g", groups=[GROUP])["annex1"]
    alone = [build(tmp_path_factory, rows, firms, frn, groups=[GROUP])["annex1"] for frn in ("123456", "234567")]
    if joint["nil_return"]:
        assert all(a["nil_return"] for a in alone)
        return
    # Compare by product, whatever Part A each was built in: the joint choice uses the joint total.
    for column in ("upheld", "redress_upheld", "redress_not_upheld", *BANDS):
        joint_total = sum((cells[column] or 0) for t in ("2", "5") for cells in joint["tables"].get(t, {}).values())
        members = sum((c[column] or 0) for a in alone for t in ("2", "5") for c in a["tables"].get(t, {}).values())
        assert joint_total == members, column
    assert joint["header"]["opened"] == sum(a["header"]["opened"] or 0 for a in alone)
    assert joint["header"]["outstanding_at_start"] == sum(a["header"]["outstanding_at_start"] or 0 for a in alone)
