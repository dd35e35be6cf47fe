"""`reportkit codes` and docs/codes.md: the allowed codes, generated from the taxonomy, never copied by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit import cli, codes
from reportkit.taxonomy import load_taxonomy

DOCS = Path(__file__).resolve().parents[1] / "docs" / "codes.md"


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_docs_codes_page_is_generated_from_the_taxonomy() -> None:
    assert DOCS.read_text(encoding="utf-8") == codes.as_markdown(), "regenerate: reportkit codes --markdown"


def test_every_taxonomy_code_is_documented_in_order() -> None:
    page = codes.as_markdown()
    for name in codes.CODE_LISTS:
        documented = [code for code, _ in codes.rows(name)]
        assert documented == load_taxonomy().codes(name)
        positions = [page.index(f"| `{code}` |", page.index(f"## `{name}`")) for code in documented]
        assert positions == sorted(positions)


def test_codes_of_one_list_with_labels() -> None:
    result = invoke("codes", "payment_services")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("payment_services: Annex 1AD service groupings")
    assert len(lines) == 1 + 13
    assert "emoney_issuing_redemption" in lines[-2] and "eligible complainants only, DISP 1.1.3AD(2)" in lines[-2]
    assert "prepaid_cards_emoney_payments  Pre-paid cards and e-money payments" in lines[1]


def test_fixed_value_lists_come_from_the_suite_and_calendar() -> None:
    assert codes.fixed_values("outcome") == ["upheld", "partially_upheld", "not_upheld", "no_decision"]
    assert codes.fixed_values("forwarded") == ["none", "entire", "partial"]
    assert codes.fixed_values("business_days") == ["ENG", "WLS", "SCT", "NIR"]


def test_redress_types_say_where_they_count() -> None:
    described = dict(codes.rows("redress_types"))
    assert described["premium_refund_in_error"] == "counts in Annex 1/1AB/1C: no; in Annex 1AD: no"
    assert described["payment_transaction_amount"] == "counts in Annex 1/1AB/1C: yes; in Annex 1AD: no"


def test_list_names_without_argument_and_unknown_list() -> None:
    listing = invoke("codes")
    assert listing.exit_code == 0
    assert [line.split()[0] for line in listing.output.splitlines()[: len(codes.list_names())]] == codes.list_names()
    unknown = invoke("codes", "product")
    assert unknown.exit_code == 2
    assert "no code list 'product'; lists: part_a_product_groups" in unknown.output


def test_rows_of_unknown_list_raises_with_the_lists() -> None:
    with pytest.raises(KeyError, match="no code list 'nope'; lists: part_a_product_groups"):
        codes.rows("nope")
