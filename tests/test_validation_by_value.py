"""Value rules evaluated once per distinct value give exactly the findings of great-expectations over every row.

reportkit.validation.suites evaluates a value rule (code in a list, date form, not null, conditional not null)
over the distinct combinations of the columns it reads and maps the failures back to the rows; whole-column rules
(uniqueness) run on the columns' codes. These tests run the same suite the plain way, over every row, and
compare every finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.distinct import category_by_rows, map_category, rows_where, text_of
from reportkit.extract import LINE_COLUMN
from reportkit.schema import load_schema, normalise_identifier
from reportkit.validation import suites

REFERENCES = {"frns": ["123456", "234567"]}


def plain_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every expectation of the complaints suite over every row of `frame`, as great-expectations reports it."""
    suite = suites.load_suite_file("complaints", REFERENCES)
    frame = frame.reset_index(drop=True)
    index_columns = ["complaint_id", "firm_frn", LINE_COLUMN]
    parts = [
        suites._findings(e, failing, "complaints.csv") for e, failing in suites._failures(frame, suite, index_columns)
    ]
    return _sorted(parts)


def _sorted(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame()
    found = pd.concat(parts, ignore_index=True).astype(str)
    return found.sort_values(list(found.columns)).reset_index(drop=True)


def by_value_findings(frame: pd.DataFrame) -> pd.DataFrame:
    return _sorted(suites.run_suite(frame, "complaints", "complaints.csv", REFERENCES))


def text_frame(rows: list[dict]) -> pd.DataFrame:
    columns = list(load_schema("complaints").columns)
    frame = pd.DataFrame(rows).reindex(columns=columns).astype("string[pyarrow]")
    frame[LINE_COLUMN] = range(2, len(frame) + 2)
    return frame


values = {
    "complaint_id": st.sampled_from(["C1", "C2", "C3", None]),
    "firm_frn": st.sampled_from(["123456", "234567", "999999", "12AB", None]),
    "received_date": st.sampled_from(["2025-01-02", "2025-02-30", "02/01/2025", None]),
    "closed_date": st.sampled_from(["2025-01-10", None, "soon"]),
    "outcome": st.sampled_from(["upheld", "not_upheld", "maybe", None]),
    "product": st.sampled_from(["current_accounts", "space", None]),
    "cause": st.sampled_from(["other", "bad_cause", None]),
    "goodwill_payment": st.sampled_from(["true", "false", "maybe", None]),
    "redress_amount": st.sampled_from(["10.50", "-5", "ten", None]),
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(values), min_size=0, max_size=12))
def test_distinct_evaluation_finds_what_every_row_finds(rows):
    frame = text_frame(rows)
    assert by_value_findings(frame).equals(plain_findings(frame))


def test_a_bad_code_is_reported_on_every_row_that_has_it():
    rows = [
        {"complaint_id": f"C{i}", "firm_frn": "123456", "received_date": "2025-01-02", "product": product}
        for i, product in enumerate(["space", "current_accounts", "space", "space"])
    ]
    found = by_value_findings(text_frame(rows))
    product = found[found["rule"] == "product_code"]
    assert list(product["complaint_id"]) == ["C0", "C2", "C3"]
    assert set(product["value"]) == {"space"}
    assert list(product["line"]) == ["2", "4", "5"]


def test_a_repeated_complaint_id_is_found_on_its_codes_and_named_on_both_rows():
    rows = [
        {"complaint_id": cid, "firm_frn": frn, "received_date": "2025-01-02"}
        for cid, frn in [("A", "123456"), ("A", "234567"), ("A", "123456"), ("B", "123456")]
    ]
    found = by_value_findings(text_frame(rows))
    duplicate = found[found["rule"] == "complaint_id_unique_per_firm"]
    assert sorted(duplicate["line"]) == ["2", "4"]
    assert found.equals(plain_findings(text_frame(rows)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", None])), max_size=30))
def test_distinct_rows_number_each_combination_in_order_of_first_appearance(pairs):
    from reportkit.distinct import distinct_rows

    frame = pd.DataFrame(pairs, columns=["p", "q"], dtype="string[pyarrow]").reindex(range(len(pairs)))
    first, inverse = distinct_rows(frame)
    as_tuples = [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]
    expected = list(dict.fromkeys(as_tuples))  # each combination once, in order of first appearance
    assert [as_tuples[i] for i in first] == expected
    assert [expected[k] for k in inverse] == as_tuples


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", None, "c"]), st.sampled_from(["x", "y", None]), st.integers(0, 3)),
        min_size=0,
        max_size=60,
    )
)
def test_category_work_per_distinct_row_and_per_category_equals_work_per_row(rows) -> None:
    frame = pd.DataFrame(rows, columns=["left", "right", "n"])

    def band(part: pd.DataFrame) -> pd.Series:
        return pd.Series(np.where(part["n"] >= 2, "high", np.where(part["left"].isna(), None, "low")), dtype=object)

    by_combination = category_by_rows(frame, band, ["low", "high"])
    per_row = pd.Categorical(band(frame), categories=["high", "low"])
    assert list(by_combination.categories) == ["high", "low"]
    assert list(pd.Series(by_combination).astype(object)) == list(pd.Series(per_row).astype(object))
    mapping = {"a": "A", "b": "A"}  # "c" has no mapping: missing
    mapped = map_category(frame["left"], mapping)
    assert str(mapped.dtype) == "category"
    expected = frame["left"].map(mapping).astype(object).where(frame["left"].map(mapping).notna(), None)
    assert list(mapped.astype(object).where(mapped.notna(), None)) == list(expected)


def test_rows_where_equals_boolean_indexing_with_a_fresh_index() -> None:
    frame = pd.DataFrame({"a": ["x", None, "z", "w"], "b": [1, 2, 3, 4]}, index=[5, 6, 7, 8])
    frame.attrs["sha256"] = "abc"
    keep = np.array([True, False, True, True])
    kept = rows_where(frame, keep)
    pd.testing.assert_frame_equal(kept, frame[keep].reset_index(drop=True))
    assert kept.attrs == {"sha256": "abc"}


TEXTS = st.one_of(st.none(), st.sampled_from(["ab 12", "AB12", " ", "", "qq 1 c", "x", "200001"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, max_size=40), st.integers(0, 5))
def test_text_of_a_categorical_equals_astype_str(values, start) -> None:
    """distinct.text_of builds the text once per category; it must equal pandas' own astype("str"), labels,
    name and missing values included."""
    series = pd.Series(values, dtype="category", index=range(start, start + len(values)), name="firm_frn")
    pd.testing.assert_series_equal(text_of(series), series.astype("str"))
    plain = pd.Series(values, dtype="str")
    pd.testing.assert_series_equal(text_of(plain), plain.astype("str"))


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, max_size=40))
def test_an_identifier_is_normalised_alike_as_categories_and_as_text(values) -> None:
    """DISP 1.10.2AR(3) keys: a categorical column is normalised once per category, with the values of the
    row-by-row normalisation (a blank identifier missing)."""
    as_text = normalise_identifier(pd.Series(values, dtype=object))
    as_categories = normalise_identifier(pd.Series(values, dtype="category"))
    assert str(as_categories.dtype) == "category"
    assert list(as_categories.astype(object).where(as_categories.notna(), None)) == list(as_text)
