"""The MI pack's figures, each on a small hand-built extract read, validated and classified as `reportkit mi` does."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit.mi import causes, outcomes, preview, timeliness, volumes
from reportkit.mi.frame import Window, default_start
from reportkit.mi.vulnerability import (
    DIFFERENCE,
    OTHERS,
    VULNERABLE,
    fos_referrals,
    vulnerability_outcomes,
    vulnerability_related_complaints,
)
from reportkit.mi_run import prepare_mi
from tests.conftest import FIRM, complaint, redress_line

YEAR_2025 = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def mi(ws, rows, redress=None, firms=None, entity="123456"):
    frame, settings_ = prepare_mi(ws.paths(rows, redress=redress, firms=firms), entity)
    return frame, settings_


# --------------------------------------------------------------------------- the range


def test_the_default_range_is_the_twelve_months_to_the_end() -> None:
    assert default_start(dt.date(2025, 12, 31)) == dt.date(2025, 1, 1)
    assert default_start(dt.date(2024, 2, 29)) == dt.date(2023, 3, 1)


def test_the_year_before_and_the_previous_period_have_the_range_s_length() -> None:
    window = Window(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert (window.year_before.start, window.year_before.end) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    # 184 days, ending the day before the range starts
    assert (window.previous.start, window.previous.end) == (dt.date(2024, 12, 29), dt.date(2025, 6, 30))
    assert (window.previous.end - window.previous.start) == (window.end - window.start)


# --------------------------------------------------------------------------- volumes


def test_volumes_by_month_compare_with_the_same_month_a_year_before(ws) -> None:
    rows = [
        complaint("A", "2025-01-05", "2025-01-20"),
        complaint("B", "2025-01-09"),
        complaint("C", "2024-01-15", "2024-02-01"),
        complaint("D", "2025-03-01", "2025-03-02"),
    ]
    frame, _ = mi(ws, rows)
    table = volumes.by_month(frame, YEAR_2025).set_index("month")
    assert list(table.index) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert table.loc["2025-01", ["received", "closed", "received_year_before"]].tolist() == [2, 1, 1]
    assert table.loc["2025-01", "received_change_pct"] == 100.0
    assert pd.isna(table.loc["2025-03", "received_change_pct"])  # nothing a year before: no rate of change
    assert table.loc["2025-02", "closed_year_before"] == 1  # C closed in February 2024
    assert table.loc["2025-03", ["received", "closed"]].tolist() == [1, 1]


def test_volumes_by_week_run_monday_to_sunday(ws) -> None:
    rows = [complaint("A", "2025-01-05"), complaint("B", "2025-01-06"), complaint("C", "2025-01-12")]
    frame, _ = mi(ws, rows)
    table = volumes.by_week(frame, YEAR_2025).set_index("week_starting")
    assert table.index[0] == "2024-12-30"  # the Monday of the week holding 1 January 2025
    assert table.loc["2024-12-30", "received"] == 1  # Sunday 5 January
    assert table.loc["2025-01-06", "received"] == 2  # Monday 6 and Sunday 12


# --------------------------------------------------------------------------- time to close


def test_a_complaint_past_eight_weeks_is_listed_and_one_on_day_56_is_not(ws) -> None:
    rows = [
        complaint("LATE", "2025-01-02", "2025-03-10"),  # limit 2025-02-27: 11 days over
        complaint("ON_TIME", "2025-01-02", "2025-02-27"),  # day 56
        complaint("OPEN", "2025-10-01"),  # open at the end of the range, past 2025-11-26
    ]
    frame, _ = mi(ws, rows)
    breaches = timeliness.disp_breaches(frame, YEAR_2025).set_index("complaint_id")
    assert sorted(breaches.index) == ["LATE", "OPEN"]
    assert breaches.loc["LATE", ["rule", "limit_date", "days_over"]].tolist() == [
        timeliness.EIGHT_WEEKS,
        "2025-02-27",
        11,
    ]
    assert breaches.loc["OPEN", "limit_date"] == "2025-11-26"
    assert pd.isna(breaches.loc["OPEN", "closed_date"])
    assert breaches.loc["OPEN", "days_over"] == 35  # to 31 December


def test_a_payment_services_complaint_is_judged_in_business_days(ws) -> None:
    firm = {**FIRM, "returns": ["annex1", "annex1ad"], "payment_services": ["credit_transfers"]}
    pay = {"payment_service": "credit_transfers", "payment_cause": "charges_interest"}
    rows = [
        # received Thursday 2 January 2025: the 15th business day after is 23 January, the 35th 20 February
        complaint("P20", "2025-01-02", "2025-01-30", **pay),
        complaint("P40", "2025-01-02", "2025-03-03", **pay),
        complaint("P10", "2025-01-02", "2025-01-16", **pay),
    ]
    frame, _ = mi(ws, rows, firms=[firm])
    breaches = timeliness.disp_breaches(frame, YEAR_2025)
    listed = breaches.groupby("rule")["complaint_id"].apply(sorted).to_dict()
    assert listed == {timeliness.PAYMENT_15: ["P20", "P40"], timeliness.PAYMENT_35: ["P40"]}
    assert (
        breaches.set_index(["rule", "complaint_id"]).loc[(timeliness.PAYMENT_15, "P20"), "limit_date"] == "2025-01-23"
    )


def test_the_firm_s_service_level_lists_its_breaches_and_counts_those_met(ws) -> None:
    firm = {**FIRM, "mi": {"service_levels": {"default": {"business_days": 5}}}}
    rows = [
        complaint("FAST", "2025-01-06", "2025-01-13"),  # Monday; 5th business day after is Monday 13th
        complaint("SLOW", "2025-01-06", "2025-01-14"),
    ]
    frame, settings_ = mi(ws, rows, firms=[firm])
    breaches = timeliness.service_level_breaches(frame, YEAR_2025, settings_)
    assert breaches["complaint_id"].tolist() == ["SLOW"]
    assert breaches["days_over"].tolist() == [1]
    table = timeliness.time_to_close(frame, YEAR_2025, settings_).set_index("group")
    assert table.loc["all", ["closed", "with_service_level", "service_level_met"]].tolist() == [2, 2, 1]
    assert table.loc["all", "service_level_met_pct"] == 50.0


def test_weeks_service_levels_count_calendar_weeks(ws) -> None:
    firm = {**FIRM, "mi": {"service_levels": {"banking_credit_cards": {"weeks": 1}}}}
    rows = [complaint("A", "2025-01-06", "2025-01-13"), complaint("B", "2025-01-06", "2025-01-14")]
    frame, settings_ = mi(ws, rows, firms=[firm])
    assert timeliness.service_level_breaches(frame, YEAR_2025, settings_)["complaint_id"].tolist() == ["B"]


def test_no_service_level_means_no_service_level_breach(ws) -> None:
    frame, settings_ = mi(ws, [complaint("A", "2025-01-06", "2025-06-30")])
    assert timeliness.service_level_breaches(frame, YEAR_2025, settings_).empty
    assert len(timeliness.disp_breaches(frame, YEAR_2025)) == 1


def test_time_to_close_bands_follow_disp(ws) -> None:
    rows = [
        complaint("D3", "2025-01-06", "2025-01-09"),  # third business day after: within 3
        complaint("D4", "2025-01-06", "2025-01-10"),
        complaint("W9", "2025-01-06", "2025-03-10"),  # after 8 weeks
    ]
    frame, settings_ = mi(ws, rows)
    row = timeliness.time_to_close(frame, YEAR_2025, settings_).set_index("group").loc["all"]
    assert row[["closed", "within_3_business_days", "within_8_weeks", "after_8_weeks"]].tolist() == [3, 1, 2, 1]
    assert row["median_business_days"] == 4


def test_payment_services_closures_are_counted_within_15_and_35_business_days(ws) -> None:
    firm = {**FIRM, "returns": ["annex1", "annex1ad"], "payment_services": ["credit_transfers"]}
    pay = {"payment_service": "credit_transfers", "payment_cause": "charges_interest"}
    rows = [
        # received Thursday 2 January 2025: the 15th business day after is 23 January, the 35th 20 February
        complaint("P15", "2025-01-02", "2025-01-23", **pay),  # on the 15th: within both
        complaint("P16", "2025-01-02", "2025-01-24", **pay),  # the 16th: within 35 only
        complaint("P35", "2025-01-02", "2025-02-20", **pay),  # on the 35th: within 35
        complaint("P36", "2025-01-02", "2025-02-21", **pay),  # the 36th: within neither
        complaint("N16", "2025-01-02", "2025-01-24"),  # no payment service: not in the payment counts
    ]
    frame, settings_ = mi(ws, rows, firms=[firm])
    row = timeliness.time_to_close(frame, YEAR_2025, settings_).set_index("group").loc["all"]
    counted = [
        "closed",
        "payment_services_closed",
        "payment_within_15_business_days",
        "payment_within_35_business_days",
    ]
    assert row[counted].tolist() == [5, 4, 1, 3]


# --------------------------------------------------------------------------- root causes


def test_root_causes_rank_move_and_recur(ws) -> None:
    rows = [complaint(f"N{i}", "2025-03-01", cause="delays_timescales") for i in range(4)]
    rows += [complaint(f"M{i}", "2025-03-01", cause="product_disclosure_information") for i in range(2)]
    rows += [complaint(f"P{i}", "2024-06-01", cause="delays_timescales") for i in range(2)]
    rows += [complaint("OLD", "2023-12-04", "2023-12-05", cause="other")]  # the extract's history covers 2024
    frame, _ = mi(ws, rows)
    table = causes.root_causes(frame, YEAR_2025).set_index("cause")
    assert table.loc["delays_timescales", ["rank", "received", "previous_period", "movement_pct"]].tolist() == [
        1,
        4,
        2,
        100.0,
    ]
    assert table.loc["delays_timescales", "share_pct"] == pytest.approx(66.67)
    assert bool(table.loc["delays_timescales", "recurring"]) is True
    assert bool(table.loc["product_disclosure_information", "recurring"]) is False


def test_a_span_before_the_extract_begins_is_blank_not_zero(ws) -> None:
    # The extract's first complaint is of June 2024: January to May 2024 are not in it, so 2025's months are
    # not compared with them (no growth from a 0 that is only the start of the data); June 2024 is.
    rows = [complaint("J", "2024-06-03", "2024-06-04"), complaint("A", "2025-01-06"), complaint("B", "2025-06-02")]
    frame, _ = mi(ws, rows)
    months = volumes.by_month(frame, YEAR_2025).set_index("month")
    assert months.loc["2025-01", ["received_year_before", "closed_year_before", "received_change_pct"]].isna().all()
    assert months.loc["2025-06", ["received", "received_year_before", "received_change_pct"]].tolist() == [1, 1, 0.0]
    products = volumes.by_dimension(frame, YEAR_2025, ["cause"])  # the span a year before begins in January
    assert products["received_year_before"].isna().all() and products["received_change_pct"].isna().all()
    weeks = volumes.by_week(frame, YEAR_2025).set_index("week_starting")
    assert pd.isna(weeks.loc["2025-01-06", "received_year_before"])
    assert weeks.loc["2025-06-02", ["received", "received_year_before"]].tolist() == [1, 1]  # 2024-06-03: 52 weeks
    top = causes.root_causes(frame, YEAR_2025)
    assert top["previous_period"].isna().all() and top["recurring"].isna().all() and top["movement_pct"].isna().all()


# --------------------------------------------------------------------------- outcomes and outliers


def _closed_frame(handlers: dict[str, tuple[int, int]], redress: float = 0.0) -> pd.DataFrame:
    """An MI frame of closed complaints: handler -> (closed, upheld)."""
    rows = []
    for handler, (closed, upheld) in handlers.items():
        for i in range(closed):
            rows.append(
                {
                    "complaint_id": f"{handler}-{i}",
                    "firm_frn": "123456",
                    "received_date": pd.Timestamp("2025-03-01"),
                    "closed_date": pd.Timestamp("2025-03-10"),
                    "group": "banking_credit_cards",
                    "product": "current_accounts",
                    "cause": "delays_timescales",
                    "upheld": i < upheld,
                    "redress": redress if i < upheld else 0.0,
                    "handler": handler,
                }
            )
    return pd.DataFrame(rows)


def test_a_handler_who_upholds_far_more_is_flagged_high() -> None:
    frame = _closed_frame({"H1": (40, 10), "H2": (40, 12), "H3": (40, 11), "H9": (40, 34)})
    table = outcomes.outcomes_by(frame, YEAR_2025, "handler").set_index("handler")
    assert table.loc["H9", "upheld_rate_pct"] == 85.0
    assert table.loc["H9", "upheld_rate_outlier"] == outcomes.HIGH
    assert set(table.loc[["H1", "H2", "H3"], "upheld_rate_outlier"]) <= {"", outcomes.LOW}


def test_one_large_lenient_handler_does_not_make_every_other_handler_low() -> None:
    # H9 closes a third of the complaints and upholds 90%: the overall rate (about 57%) would put the four
    # ordinary handlers (about 40%) all "low"; against the typical handler only H9 stands out.
    frame = _closed_frame({"H1": (50, 20), "H2": (50, 19), "H3": (50, 21), "H4": (50, 20), "H9": (100, 90)})
    table = outcomes.outcomes_by(frame, YEAR_2025, "handler").set_index("handler")
    assert table.loc["H9", "upheld_rate_outlier"] == outcomes.HIGH
    assert set(table.loc[["H1", "H2", "H3", "H4"], "upheld_rate_outlier"]) == {""}


def test_the_funnel_centre_is_the_median_of_the_keys_large_enough_to_judge() -> None:
    rates = pd.Series([0.2, 0.4, 0.9, 1.0])
    assert outcomes.typical_figure(rates, pd.Series([50, 50, 50, 3]), 0.5) == pytest.approx(0.4)  # 1.0: too few
    assert outcomes.typical_figure(rates, pd.Series([1, 2, 3, 4]), 0.5) == 0.5  # none large enough: all complaints


def test_a_small_handler_is_never_flagged() -> None:
    frame = _closed_frame({"H1": (60, 15), "H2": (60, 15), "TINY": (4, 4)})
    table = outcomes.outcomes_by(frame, YEAR_2025, "handler").set_index("handler")
    assert table.loc["TINY", "upheld_rate_outlier"] == ""  # 4 of 4, but fewer than OUTLIER_MIN_CLOSED


def test_average_redress_outlier_and_totals() -> None:
    frame = pd.concat(
        [
            _closed_frame({"H1": (30, 30)}, 100.0),
            _closed_frame({"H2": (30, 30)}, 102.0),
            _closed_frame({"H9": (30, 30)}, 500.0),
        ]
    )
    frame["redress"] += np.tile(np.arange(30) % 3, 3)  # a little spread within each handler
    table = outcomes.outcomes_by(frame, YEAR_2025, "handler").set_index("handler")
    assert table.loc["H9", "average_redress_outlier"] == outcomes.HIGH
    assert table.loc["H9", "average_redress_gbp"] == pytest.approx(501.0)
    assert table.loc["H1", "redress_gbp"] == pytest.approx(30 * 100 + 30)


def test_redress_against_plan_and_authority_limits(ws) -> None:
    firm = {
        **FIRM,
        "mi": {"redress_plan": {"total": 100}, "authority_limits": {"default": 50, "handlers": {"SENIOR": 500}}},
    }
    rows = [
        complaint("A", "2025-01-02", "2025-01-10", "upheld", handler="JUNIOR"),
        complaint("B", "2025-01-02", "2025-01-11", "upheld", handler="SENIOR"),
        complaint("C", "2025-01-02", "2025-02-11", "upheld", handler="JUNIOR"),
    ]
    redress = [
        redress_line("A", "2025-01-10", "financial_loss", "80.00"),
        redress_line("B", "2025-01-11", "financial_loss", "300.00"),
        redress_line("C", "2025-02-11", "financial_loss", "20.00"),
        redress_line("C", "2025-02-11", "premium_refund_in_error", "900.00"),  # not redress (DISP 1.10.3G)
    ]
    frame, settings_ = mi(ws, rows, redress=redress, firms=[firm])
    plan = outcomes.redress_against_plan(frame, YEAR_2025, settings_).set_index("month")
    assert plan.loc["2025-01", ["redress_gbp", "plan_gbp", "variance_gbp"]].tolist() == [380.0, 100.0, 280.0]
    assert bool(plan.loc["2025-01", "over_plan"]) and not bool(plan.loc["2025-02", "over_plan"])
    breaches = outcomes.authority_breaches(frame, YEAR_2025, settings_)
    assert breaches[["complaint_id", "handler", "redress_gbp", "limit_gbp", "excess_gbp"]].values.tolist() == [
        ["A", "JUNIOR", 80.0, 50.0, 30.0]
    ]


def test_a_month_the_range_covers_in_part_gets_its_share_of_the_plan(ws) -> None:
    firm = {**FIRM, "mi": {"redress_plan": {"total": 310}}}
    rows = [complaint("A", "2025-12-01", "2025-12-22", "upheld")]
    frame, settings_ = mi(ws, rows, redress=[redress_line("A", "2025-12-22", "financial_loss", "50.00")], firms=[firm])
    window = Window(dt.date(2025, 11, 16), dt.date(2025, 12, 31))
    plan = outcomes.redress_against_plan(frame, window, settings_).set_index("month")
    assert plan.loc["2025-11", "plan_gbp"] == pytest.approx(310 * 15 / 30)  # 16 to 30 November
    assert plan.loc["2025-12", "plan_gbp"] == pytest.approx(310)  # the whole of December
    december = Window(dt.date(2025, 12, 20), dt.date(2025, 12, 31))
    part = outcomes.redress_against_plan(frame, december, settings_).set_index("month")
    assert part.loc["2025-12", "plan_gbp"] == pytest.approx(120.0)  # 12 of 31 days
    assert part.loc["2025-12", "redress_gbp"] == 50.0 and not bool(part.loc["2025-12", "over_plan"])


# --------------------------------------------------------------------------- vulnerability and the Ombudsman


def test_the_vulnerability_outcome_difference_is_computed(ws) -> None:
    rows = [
        complaint("V1", "2025-02-03", "2025-02-04", "upheld", vulnerable_customer="true"),
        complaint("V2", "2025-02-03", "2025-02-04", "upheld", vulnerable_customer="true", vulnerability_related="true"),
        complaint("O1", "2025-02-03", "2025-02-10", "upheld", vulnerable_customer="false"),
        complaint("O2", "2025-02-03", "2025-02-10", "not_upheld", vulnerable_customer="false"),
        complaint("O3", "2025-02-03", "2025-02-10", "not_upheld"),
        complaint("O4", "2025-02-03", "2025-02-10", "not_upheld", vulnerable_customer="false"),
    ]
    redress = [
        redress_line("V1", "2025-02-04", "financial_loss", "100.00"),
        redress_line("V2", "2025-02-04", "financial_loss", "300.00"),
        redress_line("O1", "2025-02-10", "financial_loss", "50.00"),
    ]
    frame, _ = mi(ws, rows, redress=redress)
    table = vulnerability_outcomes(frame, YEAR_2025).set_index("customers")
    assert table.loc[VULNERABLE, ["received", "received_share_pct", "upheld_rate_pct"]].tolist() == [2, 33.33, 100.0]
    assert table.loc[OTHERS, "upheld_rate_pct"] == 25.0
    assert table.loc[DIFFERENCE, "upheld_rate_pct"] == 75.0
    assert table.loc[DIFFERENCE, "median_business_days_to_close"] == 1.0 - 5.0
    assert table.loc[DIFFERENCE, "average_redress_gbp"] == 200.0 - 50.0
    assert table.loc[VULNERABLE, "vulnerability_related"] == 1
    assert table.loc[DIFFERENCE, "received"] is None


def test_complaints_about_a_failure_to_consider_vulnerability_are_listed_with_their_outcome(ws) -> None:
    rows = [
        complaint("R2", "2025-03-03", "2025-03-20", "upheld", vulnerability_related="true", handler="H1"),
        complaint("R1", "2025-02-03", vulnerability_related="true", vulnerable_customer="true"),  # still open
        complaint("N1", "2025-02-03", "2025-02-04", "upheld", vulnerability_related="false"),
        complaint("OLD", "2024-02-03", "2024-02-04", "upheld", vulnerability_related="true"),  # before the range
    ]
    frame, _ = mi(ws, rows, redress=[redress_line("R2", "2025-03-20", "financial_loss", "75.50")])
    table = vulnerability_related_complaints(frame, YEAR_2025)
    assert table["complaint_id"].tolist() == ["R1", "R2"]  # by received date
    r1, r2 = table.to_dict("records")
    assert pd.isna(r1["closed_date"]) and r1["upheld"] is None and bool(r1["vulnerable_customer"])
    assert (r2["closed_date"], r2["upheld"], r2["redress_gbp"], r2["handler"]) == ("2025-03-20", True, 75.5, "H1")


def test_volumes_by_product_group_sum_to_the_products(ws) -> None:
    rows = [
        complaint("A", "2025-01-06", "2025-01-07", product="current_accounts"),
        complaint("B", "2025-02-06", product="credit_cards"),
        complaint("C", "2025-02-07", "2025-02-08", product="credit_cards"),
        complaint("D", "2024-01-07", product="credit_cards"),
    ]
    frame, _ = mi(ws, rows)
    groups = volumes.by_dimension(frame, YEAR_2025, ["group"]).set_index("group")
    products = volumes.by_dimension(frame, YEAR_2025, ["group", "product"])
    assert groups["received"].sum() == 3 and groups["closed"].sum() == 2
    by_group = products.groupby("group")[["received", "closed", "received_year_before"]].sum()
    assert (
        (groups[["received", "closed", "received_year_before"]].astype("int64") == by_group.astype("int64")).all().all()
    )
    assert groups["received"].iloc[0] == groups["received"].max()  # largest first


def test_ombudsman_referral_and_overturn_rates(ws) -> None:
    rows = [
        complaint(
            "A",
            "2025-01-02",
            "2025-01-20",
            fos_referred_date="2025-03-01",
            fos_outcome="upheld_in_favour_of_complainant",
        ),
        complaint("B", "2025-01-02", "2025-01-20", fos_referred_date="2025-03-01", fos_outcome="not_upheld"),
        complaint("C", "2025-01-02", "2025-01-20", fos_referred_date="2025-03-01", fos_outcome="settled"),
        complaint("D", "2025-01-02", "2025-01-20", fos_referred_date="2025-04-01"),
        complaint("E", "2025-01-02", "2025-01-20"),
    ]
    frame, _ = mi(ws, rows)
    row = fos_referrals(frame, YEAR_2025).set_index("group").loc["all"]
    assert row[["closed", "referred", "decided", "overturned"]].tolist() == [5, 4, 2, 1]
    assert row["referral_rate_pct"] == 80.0
    assert row["overturn_rate_pct"] == 50.0


# --------------------------------------------------------------------------- the 2027 view


def test_half_years_are_calendar_halves_cut_to_the_range() -> None:
    window = Window(dt.date(2026, 4, 1), dt.date(2027, 8, 31))
    names = [(preview.half_year_name(p), p.start.isoformat(), p.end.isoformat()) for p in preview.half_years(window)]
    assert names == [
        ("2026-H1", "2026-04-01", "2026-06-30"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
        ("2027-H1", "2027-01-01", "2027-06-30"),
        ("2027-H2", "2027-07-01", "2027-08-31"),
    ]


def test_a_group_is_split_per_legal_entity_and_sums_to_the_joint_figures(ws) -> None:
    sister = {**FIRM, "frn": "234567", "name": "Sister Ltd"}
    rows = [
        complaint("A", "2025-01-10", "2025-02-01", "upheld", vulnerable_customer="true"),
        complaint("B", "2025-03-10"),
        complaint("C", "2025-08-10", "2025-08-20", "upheld", firm_frn="234567", product="credit_cards", cause="other"),
        complaint("D", "2025-05-10", "2025-09-01", "not_upheld", firm_frn="234567", vulnerability_related="true"),
    ]
    group = {"id": "grp", "reporting_firm": "123456", "members": ["123456", "234567"], "returns": ["annex1"]}
    frame, _ = prepare_mi(ws.paths(rows, firms=[FIRM, sister], groups=[group]), "grp")
    table = preview.preview_2027(frame, YEAR_2025).set_index(["firm_frn", "half_year"])
    assert table.loc[
        ("123456", "2025-H1"), ["opened", "closed", "outstanding", "upheld", "vulnerable_opened"]
    ].tolist() == [
        2,
        1,
        1,
        1,
        1,
    ]
    assert table.loc[
        ("234567", "2025-H2"), ["opened", "closed", "upheld", "vulnerability_related_closed"]
    ].tolist() == [
        1,
        2,
        1,
        1,
    ]
    assert table.loc[("234567", "2025-H2"), "other_cause_share_pct"] == 100.0
    joint = frame.assign(firm_frn="joint")
    joint_table = preview.preview_2027(joint, YEAR_2025).set_index("half_year")
    counts = list(preview.COUNTS)
    summed = table[counts].groupby(level="half_year").sum()
    assert (summed[counts] == joint_table[counts]).all().all()


def test_readiness_counts_blank_vulnerability_flags(ws) -> None:
    rows = [complaint(f"C{i}", "2025-02-01", vulnerable_customer="true" if i < 6 else "") for i in range(8)]
    rows.append(complaint("X", "2025-02-01", vulnerable_customer="false", product="other_banking", cause="other"))
    frame, _ = mi(ws, rows)
    table = preview.readiness_2027(frame, YEAR_2025).set_index("field")
    assert table.loc["vulnerable_customer", ["complaints", "complete", "missing_pct"]].tolist() == [9, 7, 22.22]
    assert table.loc["product", "complete"] == 8
    assert table.loc["cause", "complete"] == 8


def test_an_absent_vulnerability_column_is_not_ready(ws) -> None:
    frame, _ = mi(ws, [complaint("A", "2025-02-01")])
    table = preview.readiness_2027(frame, YEAR_2025).set_index("field")
    assert table.loc["vulnerability_related", "complete_pct"] == 0.0


def test_the_preview_layout_names_only_measures_reportkit_computes() -> None:
    layout = preview.load_preview_layout()
    assert list(layout.measures) == preview.MEASURES
    assert "not the final form" in layout.label and "PS25/19" in layout.label


# --------------------------------------------------------------------------- properties


frames = st.lists(
    st.tuples(
        st.sampled_from(["100001", "100002", "100003"]),
        st.integers(0, 400),  # received: days after 2025-01-01
        st.one_of(st.none(), st.integers(0, 120)),  # days to close
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=60,
)


def _frame(rows) -> pd.DataFrame:
    start = pd.Timestamp("2024-10-01")
    return pd.DataFrame(
        {
            "firm_frn": [r[0] for r in rows],
            "received_date": pd.to_datetime([start + pd.Timedelta(days=r[1]) for r in rows]),
            "closed_date": pd.to_datetime(
                [start + pd.Timedelta(days=r[1] + r[2]) if r[2] is not None else pd.NaT for r in rows]
            ),
            "upheld": [r[3] and r[2] is not None for r in rows],
            "vulnerable_customer": [r[4] for r in rows],
            "vulnerability_related": [r[5] for r in rows],
            "product": "current_accounts",
            "cause": "delays_timescales",
        }
    )


@settings(max_examples=60, deadline=None)
@given(frames)
def test_per_entity_counts_sum_to_the_joint_counts(rows) -> None:
    frame = _frame(rows)
    if frame.empty:
        return
    per_entity = preview.preview_2027(frame, YEAR_2025)
    joint = preview.preview_2027(frame.assign(firm_frn="joint"), YEAR_2025).set_index("half_year")
    counts = list(preview.COUNTS)
    summed = per_entity.groupby("half_year")[counts].sum()
    assert (summed.reindex(joint.index, fill_value=0)[counts] == joint[counts]).all().all()


@settings(max_examples=60, deadline=None)
@given(frames)
def test_opened_less_closed_moves_outstanding(rows) -> None:
    """Outstanding at the end of a half-year = outstanding before it + opened - closed (over all entities)."""
    frame = _frame(rows).assign(firm_frn="x")
    if frame.empty:
        return
    table = preview.preview_2027(frame, YEAR_2025).set_index("half_year")
    before = int(
        (
            (frame["received_date"] < "2025-01-01")
            & (frame["closed_date"].isna() | (frame["closed_date"] >= "2025-01-01"))
        ).sum()
    )
    h1, h2 = table.loc["2025-H1"], table.loc["2025-H2"]
    assert h1["outstanding"] == before + h1["opened"] - h1["closed"]
    assert h2["outstanding"] == h1["outstanding"] + h2["opened"] - h2["closed"]


def test_every_table_builds_on_an_extract_with_no_mi_column_and_no_settings(ws) -> None:
    """No handler, Ombudsman or vulnerability column and no MI settings: the tables that need them are empty or
    zero, never an error."""
    from reportkit.mi.tables import build_tables

    frame, settings_ = mi(ws, [complaint("A", "2025-01-02", "2025-03-10", "upheld"), complaint("B", "2025-05-02")])
    tables = build_tables(frame, YEAR_2025, settings_)
    assert tables["outcomes_by_handler"].empty and tables["authority_breaches"].empty
    assert tables["service_level_breaches"].empty and tables["redress_against_plan"].empty
    assert tables["fos_referrals"].set_index("group").loc["all", "referred"] == 0
    assert tables["disp_breaches"]["complaint_id"].tolist() == ["A", "B"]
    assert tables["preview_2027"]["opened"].sum() == 2
