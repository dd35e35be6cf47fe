"""Exact money: amounts parsed from their digits, a per-line ceiling, totals that cannot overflow."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import api
from reportkit.classify import redress_lines
from reportkit.errors import InputError
from reportkit.money import LARGEST_EXACT_TOTAL, above_ceiling, check_total_fits, parse_units
from tests.conftest import complaint, redress_line


@pytest.mark.parametrize(
    "text, units",
    [
        ("0", 0),
        ("0.1", 1_000),
        ("125.50", 1_255_000),
        ("1.00005", 10_001),  # a fifth decimal rounds half up
        ("1.00004", 10_000),
        ("99999999.9999", 999_999_999_999),
        ("000012", 120_000),
        ("", None),
        ("12,5", None),
    ],
)
def test_amounts_parse_exactly_to_units(text: str, units: int | None) -> None:
    parsed = parse_units(pd.Series([text], dtype="string").replace("", pd.NA))[0]
    assert (pd.isna(parsed) and units is None) or parsed == units


@given(st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False, allow_infinity=False))
def test_parsing_agrees_with_decimal_arithmetic(amount: Decimal) -> None:
    expected = int((amount * 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert parse_units(pd.Series([f"{amount:f}"]))[0] == expected


@pytest.mark.parametrize(
    "text, over",
    [
        ("100000000", False),
        ("100000000.00", False),
        ("100000000.01", True),
        ("100000001", True),
        ("600000000000000", True),
        ("9" * 400, True),
        ("0099999999", False),
    ],
)
def test_ceiling_compares_digits_of_any_length(text: str, over: bool) -> None:
    assert bool(above_ceiling(pd.Series([text]), 100_000_000)[0]) is over


def test_totals_that_could_overflow_are_refused() -> None:
    assert check_total_fits(pd.Series([LARGEST_EXACT_TOTAL // 4, LARGEST_EXACT_TOTAL // 4], dtype="Int64"))
    assert not check_total_fits(pd.Series([LARGEST_EXACT_TOTAL // 2, LARGEST_EXACT_TOTAL // 2], dtype="Int64"))
    complaints = pd.DataFrame(
        {
            "firm_frn": ["123456"] * 2,
            "complaint_id": ["A", "B"],
            "closed_date": pd.to_datetime(["2025-02-01"] * 2),
            "redress_amount": pd.array([LARGEST_EXACT_TOTAL // 2] * 2, dtype="Int64"),
        }
    )
    with pytest.raises(InputError, match="more than reportkit can total exactly"):
        redress_lines(complaints, None)


@pytest.mark.parametrize("amount", ["600000000000000", "1234567890123456", "9" * 400])
def test_huge_amounts_are_validation_errors_in_validate_and_run(ws, amount: str) -> None:
    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld")]
    paths = ws.paths(rows, redress=[redress_line("C1", "2025-02-04", "goodwill", amount)] * 2)
    report = api.validate(paths)
    errors = report.errors
    assert list(errors["rule"]) == ["money_ceiling", "money_ceiling"]
    assert "above the ceiling of £100,000,000 for one line" in errors["message"].iloc[0]
    value = str(errors["value"].iloc[0])
    assert value == amount if len(amount) <= 60 else value == "9" * 60 + "... (400 characters)"  # never in full


def test_large_exact_amounts_sum_to_the_penny(ws) -> None:
    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld")]
    lines = [redress_line("C1", "2025-02-04", "goodwill", "99999999.995")] * 3  # 3 x just under the ceiling
    document = ws.annex1(rows, redress=lines)
    assert document["tables"]["2"]["banking_credit_cards"]["redress_upheld"] == 300_000_000  # 299,999,999.985


def test_money_ceiling_is_configurable_within_bounds(ws) -> None:
    from reportkit.config import load_config

    rows = [complaint("C1", "2025-02-03", "2025-02-04", "upheld")]
    lines = [redress_line("C1", "2025-02-04", "goodwill", "250000000")]
    assert list(api.validate(ws.paths(rows, redress=lines)).errors["rule"]) == ["money_ceiling"]
    assert api.validate(ws.paths(rows, redress=lines, money_ceiling=300_000_000)).ok
    assert load_config(ws.config(money_ceiling=300_000_000)).money_ceiling == 300_000_000
    with pytest.raises(InputError, match="money_ceiling: must be at most 1000000000000 pounds"):
        load_config(ws.config(money_ceiling=10**13))
    with pytest.raises(InputError, match="money_ceiling: must be a whole number of at least 1"):
        load_config(ws.config(money_ceiling="lots"))
