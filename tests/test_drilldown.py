"""The drill-down: per-complaint facts of each return's lineage (facts/<stem>-complaints.parquet), a page per
return listing the complaints behind every counted cell (html/<stem>-cells.html), and the return pages' cells
linking to it, checked against the lineage, for personal data, for stable bytes and in a real browser."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit import api
from reportkit.calendar import Period, business_days_after
from reportkit.review import upheld_reasons
from reportkit.runner import run
from reportkit.sample import SAMPLE_PERIOD_END, write_sample
from reportkit.views import CELL_LIMIT, cell_ranks, counted_cells, drilldown_html

SECTION = re.compile(r'<section id="([^"]+)"[^>]*>(.*?)</section>', re.DOTALL)
LISTED_ID = re.compile(r'<tr><th scope="row">([^<]+)</th>')


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample group and the Annex 1C firm run once for this module, and the group run again elsewhere."""
    out = tmp_path_factory.mktemp("drill")
    paths = write_sample(out / "sample-data")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    folders = {
        e: run(inputs, e, SAMPLE_PERIOD_END, out / "a", lambda _: None).folder for e in ("sample-group", "300001")
    }
    folders["again"] = run(inputs, "sample-group", SAMPLE_PERIOD_END, out / "b", lambda _: None).folder
    folders["data"] = out / "sample-data"
    return folders


def _sections(page: Path) -> dict[str, list[str]]:
    """Every section of a drill-down page: its anchor and the complaint ids it lists, in order."""
    return {anchor: LISTED_ID.findall(body) for anchor, body in SECTION.findall(page.read_text(encoding="utf-8"))}


def _lineage_by_anchor(folder: Path, stem: str) -> dict[str, list[str]]:
    document = pd.read_json(folder / "returns" / f"{stem}.json", typ="series").to_dict()
    lineage = pd.read_parquet(folder / "lineage" / f"{stem}.parquet")
    cells = counted_cells(document)
    ids = lineage.groupby(["table", "row", "column"], sort=False)["complaint_id"].agg(list)
    return {a: ids.get((t, r, c), []) for t, r, c, a in cells[["table", "row", "column", "anchor"]].itertuples(False)}


@pytest.mark.parametrize(
    "entity, stem", [("sample-group", "annex1"), ("sample-group", "annex1ad--100001"), ("300001", "annex1c")]
)
def test_every_counted_cell_lists_exactly_its_lineage(sample: dict[str, Path], entity: str, stem: str) -> None:
    folder = sample[entity]
    listed = _sections(folder / "html" / f"{stem}-cells.html")
    expected = _lineage_by_anchor(folder, stem)
    assert list(listed) == list(expected)  # one section per non-blank counted cell, in table order
    assert all(len(ids) <= CELL_LIMIT for ids in expected.values())  # the sample has no cell over 300
    assert listed == expected
    assert sum(len(ids) for ids in listed.values()) == len(pd.read_parquet(folder / "lineage" / f"{stem}.parquet"))


def test_a_few_cells_by_name(sample: dict[str, Path]) -> None:
    listed = _sections(sample["sample-group"] / "html" / "annex1-cells.html")
    counts = {
        a: len(listed[a])
        for a in (
            "t4-credit_cards-unsuitable_advice",
            "t5-credit_cards-upheld",
            "t5-current_accounts-closed_within_3_days",
        )
    }
    assert counts == {
        "t4-credit_cards-unsuitable_advice": 8,
        "t5-credit_cards-upheld": 208,
        "t5-current_accounts-closed_within_3_days": 156,
    }
    page = (sample["sample-group"] / "html" / "annex1-cells.html").read_text(encoding="utf-8")
    assert (
        '<h2 id="t4-credit_cards-unsuitable_advice-h">Part A-2 Table 4: complaints opened, by product and cause — '
        "Credit cards — Unsuitable advice: 8</h2>" in page
    )


def test_a_cell_of_more_than_300_lists_the_first_300_the_total_and_the_lineage_file(
    sample: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(sample["sample-group"], folder)
    lineage_file = folder / "lineage" / "annex1.parquet"
    lineage = pd.read_parquet(lineage_file).astype(str)
    upheld = (lineage["table"] == "5") & (lineage["column"] == "upheld")
    lineage.loc[upheld, "row"] = "credit_cards"  # every upheld complaint of Table 5 behind one cell
    lineage.to_parquet(lineage_file, index=False)
    total = int(upheld.sum())
    assert total > CELL_LIMIT
    page = drilldown_html(folder, "annex1")
    body = dict(SECTION.findall(page))["t5-credit_cards-upheld"]
    assert LISTED_ID.findall(body) == lineage.loc[upheld, "complaint_id"].head(CELL_LIMIT).tolist()
    assert (
        f"<p>{total:,} complaint(s).</p><p>The first 300 of {total:,} complaints are listed; all {total:,} are in "
        in body
    )
    assert '<a href="../lineage/annex1.parquet">lineage/annex1.parquet</a> (table 5, column upheld).' in body


def test_the_facts_name_each_complaint_without_personal_data_and_pin_a_few(sample: dict[str, Path]) -> None:
    facts = pd.read_parquet(sample["sample-group"] / "facts" / "annex1-complaints.parquet")
    lineage = pd.read_parquet(sample["sample-group"] / "lineage" / "annex1.parquet")
    assert list(facts.columns) == [
        "complaint_id", "firm_frn", "received", "closed", "business_days_to_close", "band", "upheld_reason",
        "redress_counted_gbp", "redress_left_out_gbp", "redress_left_out_rule",
    ]  # fmt: skip
    assert set(facts["complaint_id"]) == set(lineage["complaint_id"]) and facts["complaint_id"].is_unique
    first = facts.iloc[0].to_dict()
    assert pd.isna(first.pop("redress_left_out_rule"))  # nothing left out
    assert first == {
        "complaint_id": "100001-0001715", "firm_frn": "100001", "received": "2025-02-05", "closed": "2025-07-03",
        "business_days_to_close": 102, "band": "closed_after_8_weeks", "upheld_reason": "upheld",
        "redress_counted_gbp": 143.96, "redress_left_out_gbp": 0.0,
    }  # fmt: skip
    # redress left out: exactly the premium refunds taken in error of the complaints closed in the period
    redress = pd.read_csv(sample["data"] / "redress.csv", dtype={"complaint_id": str, "firm_frn": str})
    refunds = redress[redress["redress_type"] == "premium_refund_in_error"].groupby("complaint_id")["amount"].sum()
    left = facts[facts["redress_left_out_gbp"] > 0].set_index("complaint_id")
    assert len(left) == 23
    assert set(left["redress_left_out_rule"]) == {"premium refund taken in error is not redress (DISP 1.10.3G(4))"}
    assert np.allclose(left["redress_left_out_gbp"], refunds.reindex(left.index))
    ad = pd.read_parquet(sample["sample-group"] / "facts" / "annex1ad--100001-complaints.parquet")
    assert "the amount of the payment transaction is not redress (DISP 1.10B.8G(4))" in set(ad["redress_left_out_rule"])
    for folder in (sample["sample-group"], sample["300001"]):
        for page in folder.glob("html/*-cells.html"):
            text = page.read_text(encoding="utf-8")
            assert not re.search(r"SWA\d|NI:|PP:|QQ\d{6}", text), page  # no adviser identifier in any form
            assert "<script" not in text and "http" not in text and str(folder.parent) not in text


def test_business_days_count_from_the_day_after_receipt_on_the_nations_holidays() -> None:
    received = np.array(["2025-12-19", "2025-12-19", "2025-12-31", "2025-07-11"], dtype="datetime64[D]")
    closed = np.array(["2025-12-19", "2025-12-29", "2026-01-05", "2025-07-14"], dtype="datetime64[D]")
    # Christmas and Boxing Day are holidays in England; 2 January is one in Scotland only; 12 July in
    # Northern Ireland (Saturday in 2025, observed Monday 14th).
    assert business_days_after(received, closed, "ENG").tolist() == [0, 4, 2, 1]
    assert business_days_after(received, closed, "SCT").tolist() == [0, 4, 1, 1]
    assert business_days_after(received, closed, "NIR").tolist() == [0, 4, 2, 0]


def test_why_upheld_or_not() -> None:
    frame = pd.DataFrame(
        {
            "outcome": ["upheld", "partially_upheld", "no_decision", "no_decision", "not_upheld", "not_upheld", None],
            "goodwill_payment": [False, False, True, False, True, False, False],
            "closed_date": pd.to_datetime(["2025-07-01"] * 6 + [None]),
        }
    )
    reasons = upheld_reasons(frame, Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), "annex1ad").tolist()
    assert reasons == [
        "upheld",
        "partially_upheld counts as upheld (DISP 1.10B.8G(2))",
        "no_decision with a goodwill payment counts as upheld (DISP 1.10B.8G(2))",
        "no_decision without a goodwill payment: not upheld",
        "not_upheld: a goodwill payment does not make a rejected complaint upheld (DISP 1.10B.8G(2))",
        "not_upheld",
        "open at the period end: no decision yet",
    ]


def test_the_drilldown_and_its_facts_are_byte_identical_on_a_rerun(sample: dict[str, Path]) -> None:
    first, again = sample["sample-group"], sample["again"]
    names = sorted(
        p.relative_to(first) for p in [*first.glob("html/*-cells.html"), *first.glob("facts/*-complaints.parquet")]
    )
    assert len(names) == 8  # annex1, two annex1ad and the annex1b summary: a page and its facts each
    for name in [*names, Path("html/annex1.html")]:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_in_chromium_a_cell_link_lands_on_its_section_listing_the_lineage(sample: dict[str, Path]) -> None:
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, WCAG_21_AA, _open, _require_browser

    _require_browser()
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    folder = sample["sample-group"]
    anchor = "t4-credit_cards-product_disclosure_information"
    expected = _lineage_by_anchor(folder, "annex1")[anchor]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page, outside, errors = _open(browser, folder / "html" / "annex1.html")
        link = page.locator(f'a[href="annex1-cells.html#{anchor}"]')
        assert link.inner_text() == "23"
        link.click()
        page.wait_for_load_state("load")
        assert page.url == (folder / "html" / "annex1-cells.html").as_uri() + f"#{anchor}"
        assert page.evaluate("document.querySelector(':target').id") == anchor
        rows = page.locator(f"#{anchor} tbody tr th").all_inner_texts()
        assert rows == expected and len(rows) == 23
        assert page.locator(f"#{anchor} h2").is_visible()
        assert page.title().startswith("Annex 1 — complaints behind each cell — Sample Bank plc (100001)")
        page.close()
        assert outside == [] and errors == []
        for drill in ("annex1ad--100001-cells.html",):
            page, outside, errors = _open(browser, folder / "html" / drill)
            result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
            page.close()
            assert outside == [] and errors == []
            assert result.violations_count == 0, result.generate_report()
        browser.close()


def test_a_return_whose_facts_another_file_holds_gets_the_same_bytes_as_its_own(tmp_path: Path) -> None:
    # Annex 1B lists the complaints of the Annex 1 it summarises: its facts file is copied from Annex 1's when
    # both have the same basis and complaints. Written afresh (no files written before), every file is the same.
    from reportkit import pipeline
    from reportkit.review import COMPLAINT_FACTS_SUFFIX, facts_basis, lineage_rows, write_return_facts

    paths = write_sample(tmp_path / "data")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    finished = pipeline.finish(pipeline.start(inputs, "sample-group", SAMPLE_PERIOD_END), lambda _: None)
    prepared, results = finished.prepared, finished.built.results
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    written: dict = {}
    for result in results:
        write_return_facts(shared, prepared.config, result, prepared.complaints, prepared.redress_lines, written)
        write_return_facts(alone, prepared.config, result, prepared.complaints, prepared.redress_lines)
    by_code = {r.code: r for r in results if not r.document["nil_return"]}
    annex1, annex1b = by_code["annex1"], by_code["annex1b"]
    assert facts_basis(annex1.document) == facts_basis(annex1b.document)  # the case the copy is for...
    assert np.array_equal(
        lineage_rows(prepared.complaints, annex1.lineage), lineage_rows(prepared.complaints, annex1b.lineage)
    )
    kept = {target.name for _, target in written.values()}  # the files worked out, the last of each basis
    assert "annex1-complaints.parquet" in kept and "annex1b-complaints.parquet" not in kept  # ...so 1B was copied
    names = sorted(p.name for p in shared.glob(f"facts/*{COMPLAINT_FACTS_SUFFIX}.parquet"))
    assert names == sorted(p.name for p in alone.glob(f"facts/*{COMPLAINT_FACTS_SUFFIX}.parquet")) and len(names) == 4
    for name in names:
        assert (shared / "facts" / name).read_bytes() == (alone / "facts" / name).read_bytes(), name
    annex1ad = next(r for r in results if r.code == "annex1ad" and not r.document["nil_return"])
    assert facts_basis(annex1ad.document) != facts_basis(annex1.document)  # its own bands, citation, redress rule


KEY_VALUES = st.sampled_from(["A", "B", "C", "1B", "x y", None])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(KEY_VALUES, KEY_VALUES, KEY_VALUES), max_size=60),
    st.booleans(),
    st.booleans(),
)
def test_cell_ranks_are_a_groupbys_cumcount_and_size(rows: list, coded: bool, many_cells: bool) -> None:
    """The drill-down numbers each lineage row within its cell on category codes (views.cell_ranks): the
    same places and totals as pandas' groupby cumcount and size, for coded or text key columns, with rows
    missing a key left out as groupby leaves them, and on the path for lineages with more cells than a 16-bit
    number holds (many Annex 1C advisers)."""
    keys = pd.DataFrame(rows, columns=["table", "row", "column"], dtype=object)
    if many_cells:  # unused categories widen the space of cells past 2**16 without changing any row
        keys["row"] = pd.Categorical(keys["row"], categories=[*"ABC", "1B", "x y", *map(str, range(20_000))])
    elif coded:
        keys = keys.astype("category")
    keyed = keys.notna().all(axis=1).to_numpy()
    expected = keys[keyed].astype(str).groupby(["table", "row", "column"], sort=False)
    rank, totals = cell_ranks(keys)
    assert rank[keyed].tolist() == expected.cumcount().tolist()
    assert (rank[~keyed] > len(keys)).all()  # a row with a missing key is listed under no cell, as groupby drops it
    assert totals == {tuple(key): count for key, count in expected.size().items()}
