"""The 2027 boundary (the consolidated return, FCA PS25/19), one frequency per joint report (DISP 1.10.1DG),
the calendar's supported dates, a group's full calendar and what the calendar says about bank holidays."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from click.testing import CliRunner

from reportkit import api, calendar, cli, schedule, views
from reportkit.calendar import Period, ReferenceDate
from reportkit.config import load_config
from reportkit.errors import InputError
from reportkit.runner import run
from tests.conftest import FIRM, complaint

D = dt.date.fromisoformat
MARCH = {**FIRM, "accounting_reference_date": "03-31", "returns": ["annex1", "annex1c", "annex1ad"]}
SISTER = {
    **FIRM,
    "frn": "234567",
    "name": "Scottish Sister Ltd",
    "accounting_reference_date": "03-31",
    "business_days": "SCT",
    "returns": ["annex1", "annex1ad"],
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
NOTE_MARCH = (
    "shortened last period on the DISP 1 forms: ends 2026-12-31, not 2027-03-31, because the consolidated "
    "complaints return starts on 1 January 2027 for all firms (FCA PS25/19); our reading until the FCA "
    "publishes transitional provisions"
)
CONSOLIDATED_REASON = (
    "not produced: 2027-01-01 to 2027-06-30 falls under the consolidated complaints return (FCA PS25/19, one "
    "return per legal entity from 1 January 2027), which this version of reportkit does not produce yet; a "
    "per-entity preview is planned"
)


def quiet(message: str) -> None:
    pass


def invoke(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def periods(ard: str, months: int, start: str = "2025-01-01", end: str = "2027-12-31") -> list[tuple[str, str]]:
    found = calendar.reporting_periods(ReferenceDate.parse(ard), months, Period(D(start), D(end)))
    return [(str(p.start), str(p.end)) for p in found]


def rows_of(ws, entity: str, firms: list[dict], start: str, end: str, **top) -> list[tuple]:
    config = load_config(ws.config(firms, **top))
    rows = schedule.calendar_rows(config, entity, Period(D(start), D(end)))
    return [
        (r["return"], r["frn"], r["period_start"], r["period_end"], r["due"], r["publication_deadline"], r["regime"])
        for r in rows
    ]


# --------------------------------------------------------------------------- periods at the boundary


def test_ard_31_march_half_yearly_is_cut_at_the_end_of_2026() -> None:
    assert periods("03-31", 6) == [
        ("2024-10-01", "2025-03-31"),
        ("2025-04-01", "2025-09-30"),
        ("2025-10-01", "2026-03-31"),
        ("2026-04-01", "2026-09-30"),
        ("2026-10-01", "2026-12-31"),
    ]


def test_ard_31_march_annual_and_annex1ad_year_are_cut_at_the_end_of_2026() -> None:
    assert periods("03-31", 12) == [
        ("2024-04-01", "2025-03-31"),
        ("2025-04-01", "2026-03-31"),
        ("2026-04-01", "2026-12-31"),
    ]


@pytest.mark.parametrize(
    "months, expected, natural",
    [
        (6, [("2024-10-01", "2025-03-31"), ("2025-04-01", "2025-09-30"), ("2025-10-01", "2026-03-31"),
             ("2026-04-01", "2026-09-30"), ("2026-10-01", "2026-12-31")], "2027-03-31"),
        (12, [("2024-10-01", "2025-09-30"), ("2025-10-01", "2026-09-30"), ("2026-10-01", "2026-12-31")], "2027-09-30"),
    ],
)  # fmt: skip
def test_ard_30_september(months: int, expected: list, natural: str) -> None:
    assert periods("09-30", months) == expected
    last = Period(D("2026-10-01"), D("2026-12-31"))
    note = calendar.shortened_note(last, ReferenceDate.parse("09-30"), months)
    assert note is not None and note.startswith(
        f"shortened last period on the DISP 1 forms: ends 2026-12-31, not {natural},"
    )


@pytest.mark.parametrize("months", [6, 12])
def test_ard_31_december_is_unchanged(months: int) -> None:
    found = calendar.reporting_periods(ReferenceDate(12, 31), months, Period(D("2026-01-01"), D("2027-12-31")))
    expected = {6: [("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-12-31")], 12: [("2026-01-01", "2026-12-31")]}
    assert [(str(p.start), str(p.end)) for p in found] == expected[months]
    assert [calendar.shortened_note(p, ReferenceDate(12, 31), months) for p in found] == [None] * len(found)


def test_an_annual_period_cut_to_six_months_is_still_called_shortened() -> None:
    """ARD 30 June annual: 1 July-31 December 2026 looks like a half-year but is a cut year."""
    assert periods("06-30", 12, "2026-01-01") == [("2025-07-01", "2026-06-30"), ("2026-07-01", "2026-12-31")]
    note = calendar.shortened_note(Period(D("2026-07-01"), D("2026-12-31")), ReferenceDate(6, 30), 12)
    assert note is not None and "not 2027-06-30" in note


def test_every_ard_gives_contiguous_periods_ending_on_31_december_2026() -> None:
    """Invariant over every month-end and mid-month ARD: no gap, no overlap, the last ends 2026-12-31, then
    the consolidated half-years follow from 2027-01-01 without a gap."""
    window = Period(D("2024-01-01"), D("2028-12-31"))
    ards = [ReferenceDate(m, d) for m, d in itertools.product(range(1, 13), (15, 31)) if not (m == 2 and d == 31)]
    for ard, months in itertools.product([*ards, ReferenceDate(2, 28)], (6, 12)):
        found = calendar.reporting_periods(ard, months, window) + calendar.consolidated_periods(window)
        assert all(b.start == a.end + dt.timedelta(days=1) for a, b in zip(found, found[1:], strict=False)), (
            ard,
            months,
        )
        current = [p for p in found if calendar.regime(p) == "current"]
        assert current[-1].end == D("2026-12-31"), (ard, months)
        assert found[len(current)].start == D("2027-01-01")


def test_the_boundary_is_one_named_policy_with_its_source() -> None:
    policy = calendar.CONSOLIDATED_RETURN
    assert policy.first_day == D("2027-01-01") and policy.last_current_day == D("2026-12-31")
    assert policy.sources[0] == "FCA PS25/19"
    assert policy.status == "our reading until the FCA publishes transitional provisions"
    assert calendar.CONSOLIDATED_RETURN_FROM == policy.first_day


# --------------------------------------------------------------------------- calendar rows


def test_calendar_of_an_ard_31_march_firm_across_the_boundary(ws) -> None:
    config = load_config(ws.config([MARCH]))
    rows = schedule.calendar_rows(config, "123456", Period(D("2026-09-01"), D("2027-12-31")))
    keys = ("return", "period_start", "period_end", "due", "publication_deadline", "regime", "frn")
    assert [tuple(r[k] for k in keys) for r in rows] == [
        ("annex1", "2026-04-01", "2026-09-30", "2026-11-11", "2027-02-28", "current", "123456"),
        ("annex1c", "2026-04-01", "2026-09-30", "2026-11-11", None, "current", "123456"),
        ("annex1", "2026-10-01", "2026-12-31", "2027-02-12", "2027-02-28", "current", "123456"),
        ("annex1c", "2026-10-01", "2026-12-31", "2027-02-12", None, "current", "123456"),
        ("annex1ad", "2026-04-01", "2026-12-31", "2027-02-12", None, "current", "123456"),
        ("consolidated", "2027-01-01", "2027-06-30", "2027-08-11", None, "consolidated", "123456"),
        ("consolidated", "2027-07-01", "2027-12-31", "2028-02-14", None, "consolidated", "123456"),
    ]  # fmt: skip
    assert [r["note"] for r in rows] == [None, None, NOTE_MARCH, NOTE_MARCH, NOTE_MARCH, None, None]


def test_calendar_of_an_annual_ard_31_march_firm(ws) -> None:
    firm = {**MARCH, "annual_reporter": True, "returns": ["annex1"]}
    assert rows_of(ws, "123456", [firm], "2026-01-01", "2027-06-30") == [
        ("annex1", "123456", "2025-04-01", "2026-03-31", "2026-05-15", "2026-08-31", "current"),
        ("annex1", "123456", "2026-04-01", "2026-12-31", "2027-02-12", "2027-02-28", "current"),
        ("consolidated", "123456", "2027-01-01", "2027-06-30", "2027-08-11", None, "consolidated"),
    ]


def test_calendar_of_an_ard_31_december_firm_is_unchanged_until_2027(ws) -> None:
    config = load_config(ws.config())
    rows = schedule.calendar_rows(config, "123456", Period(D("2026-01-01"), D("2027-06-30")))
    assert [(r["return"], r["period_start"], r["period_end"], r["due"], r["note"]) for r in rows] == [
        ("annex1", "2026-01-01", "2026-06-30", "2026-08-11", None),
        ("annex1", "2026-07-01", "2026-12-31", "2027-02-12", None),
        ("consolidated", "2027-01-01", "2027-06-30", "2027-08-11", None),
    ]


def test_group_calendar_lists_joint_nil_own_and_per_member_consolidated_returns(ws) -> None:
    config = load_config(ws.config([MARCH, SISTER], groups=[GROUP]))
    rows = schedule.calendar_rows(config, "example-group", Period(D("2026-09-01"), D("2027-06-30")))
    nil = "nil return: group example-group reports annex1 jointly, filed by 123456 (DISP 1.10.1CR)"
    assert [(r["return"], r["frn"], r["period_start"], r["period_end"], r["due"], r["regime"], r["note"])
            for r in rows] == [
        ("annex1", "123456", "2026-04-01", "2026-09-30", "2026-11-11", "current", None),
        ("annex1", "234567", "2026-04-01", "2026-09-30", "2026-11-11", "current", nil),
        ("annex1c", "123456", "2026-04-01", "2026-09-30", "2026-11-11", "current", None),
        ("annex1", "123456", "2026-10-01", "2026-12-31", "2027-02-12", "current", NOTE_MARCH),
        ("annex1", "234567", "2026-10-01", "2026-12-31", "2027-02-12", "current", f"{nil}; {NOTE_MARCH}"),
        ("annex1c", "123456", "2026-10-01", "2026-12-31", "2027-02-12", "current", NOTE_MARCH),
        ("annex1ad", "123456", "2026-04-01", "2026-12-31", "2027-02-12", "current", NOTE_MARCH),
        ("annex1ad", "234567", "2026-04-01", "2026-12-31", "2027-02-12", "current", NOTE_MARCH),
        ("consolidated", "123456", "2027-01-01", "2027-06-30", "2027-08-11", "consolidated", None),
        ("consolidated", "234567", "2027-01-01", "2027-06-30", "2027-08-11", "consolidated", None),
    ]  # fmt: skip
    assert all(set(r) == {"return", "period_start", "period_end", "due", "publication_deadline", "regime", "frn",
                          "note"} for r in rows)  # fmt: skip
    # The joint report's summary is the reporting firm's to publish; a member's nil return has none.
    deadlines = {(r["return"], r["frn"], r["period_end"]): r["publication_deadline"] for r in rows}
    assert deadlines[("annex1", "123456", "2026-12-31")] == "2027-02-28"
    assert deadlines[("annex1", "234567", "2026-12-31")] is None


def test_group_calendar_matches_what_run_plans(ws) -> None:
    """Every return `run` plans for a period end is a row of the calendar, with the same FRN."""
    config = load_config(ws.config([MARCH, SISTER], groups=[GROUP]))
    rows = schedule.calendar_rows(config, "example-group", Period(D("2026-09-30"), D("2026-12-31")))
    for end in ("2026-09-30", "2026-12-31"):
        due, _ = schedule.plan(config, "example-group", D(end), {"annex1", "annex1c", "annex1ad"})
        planned = {(d.return_code, d.nil_for or d.firms[0].frn) for d in due}
        listed = {(r["return"], r["frn"]) for r in rows if r["period_end"] == end}
        assert planned == listed, end


# --------------------------------------------------------------------------- one frequency per joint report


def test_group_mixing_frequencies_is_refused_in_calendar_and_run(ws, tmp_path) -> None:
    annual = {**SISTER, "annual_reporter": True}
    message = (
        r"group example-group: members have different reporting frequencies \(123456: half-yearly, 234567: "
        r"annual\); a joint report covers one reporting frequency \(DISP 1.10.1DG\)"
    )
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=[MARCH, annual], groups=[GROUP])
    config = load_config(paths.config)
    with pytest.raises(InputError, match=message):
        schedule.calendar_rows(config, "example-group", Period(D("2025-01-01"), D("2025-12-31")))
    with pytest.raises(InputError, match=message):
        run(paths, "example-group", D("2025-09-30"), tmp_path / "out", quiet, notebooks=False)
    result = invoke("calendar", "--config", paths.config, "--entity", "example-group", "--from", "2025-01-01")
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "234567: annual" in result.output
    assert not (tmp_path / "out").exists()


def test_a_group_with_a_claims_management_only_member_says_it_is_annual_by_rule(ws) -> None:
    cmc = {k: v for k, v in SISTER.items() if k != "annual_reporter"}  # left out: annual by rule
    cmc.update(returns=["annex1ab"], products=[], cmc_claim_types=["financial_services"])
    group = {**GROUP, "returns": ["annex1ab"]}
    mixed = {**MARCH, "returns": ["annex1", "annex1ab"], "cmc_claim_types": ["financial_services"]}
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=[mixed, cmc], groups=[group])
    message = (
        r"234567 report\(s\) only annex1ab, so DISP 1.10.1R\(2\)\(b\) makes them annual whatever the "
        r"configuration says: run the members separately$"
    )
    with pytest.raises(InputError, match=message):
        schedule.calendar_rows(load_config(paths.config), "example-group", Period(D("2025-01-01"), D("2025-12-31")))


def test_mixed_ard_is_reported_before_mixed_frequency(ws) -> None:
    other = {**SISTER, "accounting_reference_date": "12-31", "annual_reporter": True}
    config = load_config(ws.config([MARCH, other], groups=[GROUP]))
    with pytest.raises(InputError, match="different accounting reference dates"):
        schedule.calendar_rows(config, "example-group", Period(D("2025-01-01"), D("2025-12-31")))


# --------------------------------------------------------------------------- run at and after the boundary


def test_run_for_the_shortened_period_builds_it_and_says_so(ws, tmp_path) -> None:
    rows = [complaint("C1", "2026-10-05", "2026-10-06"), complaint("C2", "2026-09-20", "2026-10-07")]
    paths = ws.paths(rows, firms=[{**MARCH, "returns": ["annex1"]}])
    lines: list[str] = []
    outcome = run(paths, "123456", D("2026-12-31"), tmp_path / "out", lines.append, notebooks=False)
    document = json.loads((outcome.folder / "returns" / "annex1.json").read_text())
    assert document["period"] == {"start": "2026-10-01", "end": "2026-12-31"}
    assert document["header"]["opened"] == 1
    assert outcome.notes == {"annex1": NOTE_MARCH}
    assert any(line.endswith(f"  built annex1 (2026-10-01 to 2026-12-31): {NOTE_MARCH}") for line in lines)
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    assert manifest["regimes"] == {"annex1": "current"}


def test_build_all_for_the_shortened_annex1ad_year(ws) -> None:
    prepared = api.prepare(ws.paths([complaint("C1", "2026-05-05")], firms=[MARCH]))
    built = api.build_all(prepared, "123456", D("2026-12-31"))
    assert {r.stem: (r.document["period"]["start"], r.document["period"]["end"]) for r in built.results} == {
        "annex1": ("2026-10-01", "2026-12-31"),
        "annex1c": ("2026-10-01", "2026-12-31"),
        "annex1ad": ("2026-04-01", "2026-12-31"),
    }


def test_cli_run_summary_prints_the_note(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2026-10-05")], firms=[{**MARCH, "returns": ["annex1"]}])
    real_run = run
    monkeypatch.setattr("reportkit.runner.run", lambda *a, **k: real_run(*a, **k, notebooks=False))
    result = invoke(
        "run", "--config", paths.config, "--entity", "123456", "--period-end", "2026-12-31",
        "--complaints", paths.complaints, "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"  produced annex1\n    note: {NOTE_MARCH}\n" in result.stdout


def test_run_for_a_2027_half_year_says_the_consolidated_return_is_not_produced(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2027-02-01")], firms=[MARCH])
    outcome = run(paths, "123456", D("2027-06-30"), tmp_path / "out", quiet, notebooks=False)
    assert outcome.produced == [] and not (outcome.folder / "returns").exists()
    assert [(s.stem, s.reason) for s in outcome.skipped] == [("consolidated", CONSOLIDATED_REASON)]
    real_run = run
    monkeypatch.setattr("reportkit.runner.run", lambda *a, **k: real_run(*a, **k, notebooks=False))
    result = invoke(
        "run", "--config", paths.config, "--entity", "123456", "--period-end", "2027-06-30",
        "--complaints", paths.complaints, "--out", tmp_path / "cli",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"  skipped consolidated: {CONSOLIDATED_REASON}\n" in result.stdout
    assert "  produced " not in result.stdout


def test_group_plan_for_2027_lists_each_legal_entity(ws) -> None:
    config = load_config(ws.config([MARCH, SISTER], groups=[GROUP]))
    due, skipped = schedule.plan(config, "example-group", D("2027-06-30"), {"annex1"})
    assert due == [] and [s.stem for s in skipped] == ["consolidated--123456", "consolidated--234567"]
    assert {s.reason for s in skipped} == {CONSOLIDATED_REASON}


@pytest.mark.parametrize("end", ["2027-03-31", "2027-09-30"])
def test_a_2027_date_that_is_no_half_year_end_is_refused(ws, end: str) -> None:
    config = load_config(ws.config([MARCH]))
    with pytest.raises(InputError, match=f"{end} ends no reporting period of 123456: from 2027-01-01 periods are "
                       r"calendar half-years \(consolidated return, FCA PS25/19\); nearby period ends: "):  # fmt: skip
        schedule.plan(config, "123456", D(end), {"annex1"})


def test_a_late_2026_date_names_the_boundary_among_nearby_ends(ws) -> None:
    config = load_config(ws.config([MARCH]))
    with pytest.raises(InputError, match="2026-11-30 ends no reporting period .*2026-12-31, 2027-06-30"):
        schedule.plan(config, "123456", D("2026-11-30"), {"annex1", "annex1c", "annex1ad"})


# --------------------------------------------------------------------------- the page


def run_folder(ws, paths) -> str:
    """A run of the test firm for 2026-12-31 without notebooks: the folder the pages read."""
    from reportkit.runner import run

    return str(run(paths, "123456", D("2026-12-31"), ws.root / "out", lambda _: None, notebooks=False).folder)


def test_page_headline_says_why_the_period_is_short(ws) -> None:
    paths = ws.paths([complaint("C1", "2026-10-05")], firms=[{**MARCH, "returns": ["annex1"]}])
    view = views.load_return(run_folder(ws, paths), "annex1")
    assert view.note == NOTE_MARCH
    headline = views.return_headline(view.document, view.note)
    assert headline.endswith(f"\n\n**Shortened period.** S{NOTE_MARCH[1:]}.")
    assert "Shortened" not in views.return_headline(view.document, None)


def test_page_of_a_full_period_has_no_note(ws) -> None:
    paths = ws.paths([complaint("C1", "2026-10-05")])
    view = views.load_return(run_folder(ws, paths), "annex1")
    assert view.note is None


# --------------------------------------------------------------------------- supported dates, explanations


@pytest.mark.parametrize(
    "flag, value",
    [("--from", "1990-05-01"), ("--from", "0001-01-01"), ("--to", "9999-12-31"), ("--to", "2061-01-01"),
     ("--from", "1999-12-31")],
)  # fmt: skip
def test_calendar_refuses_dates_outside_the_bank_holiday_years(ws, flag: str, value: str) -> None:
    other = {"--from": ("--to", "2030-01-01"), "--to": ("--from", "2025-01-01")}[flag]
    result = invoke("calendar", "--config", ws.config(), "--entity", "123456", flag, value, *other)
    assert result.exit_code == 2
    assert result.output == (
        f"error: {flag} {value} is outside the dates reportkit supports (2000-01-01 to 2060-12-31, the years its "
        "bank-holiday calendar covers); give a date in that range\n"
    )


def test_calendar_accepts_the_edges_of_the_supported_range(ws) -> None:
    result = invoke("calendar", "--config", ws.config(), "--entity", "123456", "--from", "2000-01-01", "--to",
                    "2000-06-30", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [r["due"] for r in json.loads(result.stdout)] == ["2000-08-11"]
    late = invoke("calendar", "--config", ws.config(), "--entity", "123456", "--from", "2060-12-31", "--to",
                  "2060-12-31", "--json")  # fmt: skip
    assert [r["due"] for r in json.loads(late.stdout)] == ["2061-02-14"]  # holidays of 2061 still known


def test_run_refuses_a_period_end_outside_the_supported_range(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    with pytest.raises(InputError, match="period end 1990-06-30 is outside the dates reportkit supports"):
        run(paths, "123456", D("1990-06-30"), tmp_path, quiet, notebooks=False)


def test_calendar_json_keeps_stdout_one_list_and_explains_on_stderr(ws) -> None:
    config = ws.config([MARCH, SISTER], groups=[GROUP])
    result = invoke("calendar", "--config", config, "--entity", "example-group", "--from", "2026-10-01", "--to",
                    "2027-06-30", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)
    assert result.stderr.splitlines() == [
        "due dates: 30 business days after the period end (DISP 1.10.5R, 1.10B.10D) on the England and Wales "
        'bank-holiday calendar, because returns are submitted to the FCA in England (FCA Glossary, "business day")',
        "time bands of firm 123456: business days on the England and Wales bank-holiday calendar (its "
        "business_days setting: ENG)",
        "time bands of firm 234567: business days on the Scotland bank-holiday calendar (its business_days "
        "setting: SCT)",
        "2027 boundary: a period on the DISP 1 forms that would run past 2026-12-31 ends on it (FCA PS25/19: one "
        "consolidated complaints return per legal entity, first period 1 January-30 June 2027, fixed calendar "
        "half-years for every firm, replacing DISP 1 Annex 1, 1AB, 1AD and 1C); this boundary is our reading until "
        "the FCA publishes transitional provisions",
        "consolidated rows: from 2027-01-01 one return per legal entity and calendar half-year; this version of "
        "reportkit does not produce it yet",
    ]


def test_calendar_text_shows_frn_and_note(ws) -> None:
    config = ws.config([MARCH, SISTER], groups=[GROUP])
    result = invoke("calendar", "--config", config, "--entity", "example-group", "--from", "2026-12-31", "--to",
                    "2026-12-31")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("due dates: 30 business days after the period end")
    assert "return       frn      period_start period_end   due          publication  regime       note" in lines
    assert (
        "annex1       234567   2026-10-01   2026-12-31   2027-02-12   -            current      nil return: group "
        f"example-group reports annex1 jointly, filed by 123456 (DISP 1.10.1CR); {NOTE_MARCH}"
    ) in lines
    assert "2027 boundary:" in result.stdout and "consolidated rows:" not in result.stdout


def test_calendar_without_the_boundary_omits_its_explanation(ws) -> None:
    result = invoke("calendar", "--config", ws.config(), "--entity", "123456", "--from", "2025-01-01", "--to",
                    "2025-12-31", "--json")  # fmt: skip
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["due dates", "time bands of firm 123456"]


@pytest.mark.slow
def test_rendered_page_of_the_shortened_period_carries_the_note(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2026-10-05", "2026-10-06")], firms=[{**MARCH, "returns": ["annex1"]}])
    outcome = run(paths, "123456", D("2026-12-31"), tmp_path / "out", quiet)
    html = (outcome.folder / "html" / "annex1.html").read_text(encoding="utf-8")
    assert "Shortened period." in html and "ends 2026-12-31, not 2027-03-31" in html
    assert "our reading until the FCA publishes transitional provisions" in html


def test_every_place_showing_the_shortened_period_says_so(ws, tmp_path) -> None:
    """rules.md: say so wherever the shortened period is shown: the workbook's return and Run sheets, the review
    page and the public Annex 1B page (500 complaints, so the summary is owed)."""
    import openpyxl

    rows = [complaint(f"C{i}", "2026-10-05", "2026-10-06") for i in range(500)]
    paths = ws.paths(rows, firms=[{**MARCH, "returns": ["annex1"]}])
    folder = run(paths, "123456", D("2026-12-31"), tmp_path / "out", quiet, notebooks=False).folder
    book = openpyxl.load_workbook(folder / "returns" / "123456-2026-12-31.xlsx")
    for sheet in book.worksheets:  # Annex 1, Annex 1B and Run
        filled = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
        assert [r for r in filled if r[:1] == ["Period note"]] == [["Period note", NOTE_MARCH]], sheet.title
    assert NOTE_MARCH in (folder / "html" / "index.html").read_text(encoding="utf-8")
    page = (folder / "returns" / "annex1b.html").read_text(encoding="utf-8")
    assert f"<dt>Period note</dt><dd>{NOTE_MARCH}</dd>" in page


def test_a_full_period_shows_no_period_note(ws, tmp_path) -> None:
    rows = [complaint(f"C{i}", "2026-10-05", "2026-10-06") for i in range(500)]
    folder = run(ws.paths(rows), "123456", D("2026-12-31"), tmp_path / "out", quiet, notebooks=False).folder
    book = __import__("openpyxl").load_workbook(folder / "returns" / "123456-2026-12-31.xlsx")
    assert len(book.worksheets) == 3
    assert not any("Period note" in r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True))
    assert "Period note" not in (folder / "returns" / "annex1b.html").read_text(encoding="utf-8")
    assert "shortened" not in (folder / "html" / "index.html").read_text(encoding="utf-8")
