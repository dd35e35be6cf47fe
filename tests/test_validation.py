"""Bad input: every rule names complaint, column, value and rule; unreadable files are one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

from reportkit import api
from reportkit.errors import InputError, ValidationFailed
from reportkit.validation.suites import load_suite_file
from tests.conftest import complaint, redress_line


def errors_of(ws, rows, **kwargs) -> pd.DataFrame:
    return api.validate(ws.paths(rows, **kwargs)).errors


def only(errors: pd.DataFrame, rule: str) -> dict:
    hits = errors[errors["rule"] == rule]
    assert len(hits) == 1, errors[["rule", "complaint_id", "column", "value"]].to_string()
    return hits.iloc[0].to_dict()


GOOD = complaint("OK1", "2025-02-03", "2025-02-04", "upheld")


@pytest.mark.parametrize(
    "row, rule, column, value",
    [
        (complaint("C1", "2025-02-03", product="space", cause="other"), "product_code", "product", "space"),
        (complaint("C1", "2025-02-03", cause="bad_cause"), "cause_code", "cause", "bad_cause"),
        (complaint("C1", "2025-02-03", cause=""), "cause_with_product", "cause", None),
        (complaint("C1", "2025-02-10", "2025-02-03", "upheld"), "closed_before_received", "closed_date", "2025-02-03"),
        (complaint("C1", "2025-02-03", outcome="upheld"), "outcome_without_closed_date", "outcome", "upheld"),
        (complaint("C1", "2025-02-03", "2025-02-04", outcome="x"), "outcome_code", "outcome", "x"),
        ({**complaint("C1", "2025-02-03", "2025-02-04"), "outcome": ""}, "outcome_when_closed", "outcome", None),
        (
            complaint("C1", "2025-02-03", credit_activity="credit_broking"),
            "more_than_one_category",
            "product",
            "current_accounts",
        ),
        (complaint("C1", "2025-02-03", product="", cause=""), "no_category", "product", None),
        (complaint("C1", "2025-02-03", firm_frn="999999"), "frn_in_configuration", "firm_frn", "999999"),
        (complaint("C1", "2025-02-03", firm_frn="12AB"), "frn_format", "firm_frn", "12AB"),
        (complaint("C1", "2025-02-30"), "date_format", "received_date", "2025-02-30"),
        (complaint("C1", "03/02/2025"), "date_format", "received_date", "03/02/2025"),
        (complaint("C1", "2025-02-03", redress_amount="-5"), "money_non_negative", "redress_amount", "-5"),
        (complaint("C1", "2025-02-03", redress_amount="ten"), "money_non_negative", "redress_amount", "ten"),
        (complaint("C1", "2025-02-03", goodwill_payment="maybe"), "boolean", "goodwill_payment", "maybe"),
        (complaint("C1", "2025-02-03", forwarded="half"), "forwarded_code", "forwarded", "half"),
        (complaint("C1", "2025-02-03", adviser_ni_number="QQ123456C"), "adviser_identifier_set", "adviser_irn", None),
        (
            complaint("C1", "2025-02-03", adviser_passport_number="P1", adviser_date_of_birth="1980-01-01"),
            "adviser_identifier_set",
            "adviser_irn",
            None,
        ),
        (complaint("C1", "1899-02-03"), "date_in_calendar_range", "received_date", "1899-02-03"),
    ],
)
def test_row_level_errors(ws, row, rule, column, value) -> None:
    found = only(errors_of(ws, [GOOD, row]), rule)
    assert (found["complaint_id"], found["column"], found["line"]) == ("C1", column, 3)
    assert (found["value"] if pd.notna(found["value"]) else None) == value
    assert found["file"] == "complaints.csv" and found["message"]


@pytest.mark.parametrize(
    "identifiers",
    [
        {"adviser_irn": "ABC01234"},
        {"adviser_ni_number": "QQ123456C", "adviser_date_of_birth": "1980-01-01"},
        {"adviser_date_of_birth": "1980-01-01", "adviser_passport_number": "123456789", "adviser_nationality": "GBR"},
    ],
)
def test_each_allowed_adviser_identifier_form_passes(ws, identifiers) -> None:
    assert errors_of(ws, [complaint("C1", "2025-02-03", **identifiers)]).empty


def test_duplicate_complaint_id_per_firm(ws) -> None:
    errors = errors_of(ws, [GOOD, complaint("C1", "2025-02-03"), complaint("C1", "2025-02-04")])
    hits = errors[errors["rule"] == "complaint_id_unique_per_firm"]
    assert sorted(hits["line"]) == [3, 4] and set(hits["complaint_id"]) == {"C1"}


def test_personal_identifiers_are_masked_in_findings(ws) -> None:
    found = only(
        errors_of(
            ws, [complaint("C1", "2025-02-03", adviser_date_of_birth="1980-13-01", adviser_ni_number="QQ123456C")]
        ),
        "date_format",
    )
    assert found["value"] == "**********"  # no character of 1980-13-01
    assert (
        "1980-13-01"
        not in api.validate(
            ws.paths([complaint("C1", "2025-02-03", adviser_date_of_birth="1980-13-01", adviser_ni_number="QQ123456C")])
        ).summary()
    )


def test_redress_line_for_an_unknown_complaint(ws) -> None:
    redress = [redress_line("NOPE", "2025-02-04", "goodwill", "5")]
    found = only(errors_of(ws, [GOOD], redress=redress), "redress_without_complaint")
    assert (found["complaint_id"], found["file"], found["line"]) == ("NOPE", "redress.csv", 2)


def test_redress_column_and_file_are_not_both_allowed(ws) -> None:
    redress = [redress_line("C1", "2025-02-04", "goodwill", "5")]
    found = only(
        errors_of(ws, [complaint("C1", "2025-02-03", "2025-02-04", "upheld", redress_amount="5")], redress=redress),
        "redress_given_twice",
    )
    assert found["complaint_id"] == "C1"


def test_unknown_redress_type_and_context_measure(ws) -> None:
    redress = [redress_line("OK1", "2025-02-04", "cash", "5")]
    context = [
        {"firm_frn": "123456", "period_end": "2025-06-30", "measure": "provision", "key": "spaceships", "value": 3}
    ]
    errors = errors_of(ws, [GOOD], redress=redress, context=context)
    assert only(errors, "redress_type_code")["value"] == "cash"
    assert only(errors, "context_product_key")["value"] == "spaceships"


def test_valid_extract_has_no_errors_and_warns_about_undeclared_products(ws) -> None:
    report = api.validate(ws.paths([GOOD, complaint("C2", "2025-02-03", product="travel", cause="other")]))
    assert report.ok
    assert list(report.warnings["rule"]) == ["undeclared_product"]


def test_printed_summary_is_capped_and_complete_list_is_written(ws, tmp_path) -> None:
    rows = [complaint(f"C{i}", "2025-02-03", product="bogus", cause="other") for i in range(30)]
    with pytest.raises(ValidationFailed) as caught:
        api.prepare(ws.paths(rows))
    text = str(caught.value)
    assert "30 error(s)" in text and "... and 10 more errors" in text
    assert "complaint C0, column product, value 'bogus': product_code" in text
    written = caught.value.report.write(tmp_path / "validation")
    assert len(pd.read_csv(written / "errors.csv")) == 30


# ----------------------------------------------------------------------------- unreadable files


def test_missing_file(ws) -> None:
    with pytest.raises(InputError, match=r"complaints file not found: .*nope\.csv"):
        api.validate(api.InputPaths.of(ws.config(), ws.root / "nope.csv"))


def test_missing_required_column(ws) -> None:
    path = ws.csv("complaints.csv", [{"complaint_id": "C1", "firm_frn": "123456", "product": "credit_cards"}])
    with pytest.raises(InputError, match="missing required column\\(s\\) received_date"):
        api.validate(api.InputPaths.of(ws.config(), path))


def test_not_utf8(ws) -> None:
    path = ws.root / "complaints.csv"
    path.write_bytes("complaint_id,firm_frn,received_date,product\nC1,123456,2025-01-01,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        api.validate(api.InputPaths.of(ws.config(), path))


def test_not_a_csv(ws) -> None:
    path = ws.root / "complaints.csv"
    path.write_text('a,b\n1,2,3,4\n"unclosed\n', encoding="utf-8")
    with pytest.raises(InputError, match="complaints.csv"):
        api.validate(api.InputPaths.of(ws.config(), path))


def test_empty_file(ws) -> None:
    path = ws.root / "complaints.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        api.validate(api.InputPaths.of(ws.config(), path))


def test_parquet_is_read_like_csv(ws) -> None:
    frame = pd.DataFrame([GOOD]).assign(received_date=pd.to_datetime(["2025-02-03"]))
    path = ws.root / "complaints.parquet"
    frame.to_parquet(path)
    assert api.validate(api.InputPaths.of(ws.config(), path)).ok


BANK = "frn: '123456', name: Bank, accounting_reference_date: '12-31', returns: [annex1]"


@pytest.mark.parametrize(
    "text, message",
    [
        ("firms: []", "non-empty 'firms' list"),
        (f"firms: [{{{BANK.replace('123456', '12')}, business_days: ENG}}]", "frn '12' is not 6 or 7 digits"),
        (f"firms: [{{{BANK}, business_days: UK}}]", "business_days 'UK' must be one of ENG, WLS, SCT, NIR"),
        (f"firms: [{{{BANK}, business_days: ENG, products: [spaceships]}}]", "products has unknown codes"),
        (f"firms: [{{{BANK.replace('12-31', '31-12')}, business_days: ENG}}]", "is not MM-DD"),
        (
            f"firms: [{{{BANK}, business_days: ENG}}]\n"
            "groups: [{id: g, reporting_firm: '654321', members: ['123456'], returns: [annex1]}]",
            "not one of its members",
        ),
        ("firms: [{frn: '123456'", "cannot be read as YAML"),
    ],
)
def test_bad_configuration(ws, text: str, message: str) -> None:
    path = ws.root / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        api.validate(api.InputPaths.of(path, ws.csv("complaints.csv", [GOOD])))


def test_suite_files_reference_taxonomy_lists_rather_than_copy_them() -> None:
    suite = load_suite_file("complaints", {"frns": ["123456"]})
    products = next(e for e in suite["expectations"] if e["meta"]["rule"] == "product_code")
    assert "credit_cards" in products["kwargs"]["value_set"] and len(products["kwargs"]["value_set"]) == 50


def test_binary_file_named_csv_gives_a_short_printable_message(ws) -> None:
    path = ws.root / "complaints.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe,\x01,\x02\n\x00\x01\x02")
    with pytest.raises(InputError) as caught:
        api.validate(api.InputPaths.of(ws.config(), path))
    message = str(caught.value)
    assert message.startswith(f"{path}: is an Excel workbook or another zip archive") and message.isprintable()
    assert len(message) < 300


def test_a_huge_value_id_or_masked_value_is_cut_in_findings(ws) -> None:
    """A broken export can put 200 KB in one cell: a finding shows at most a few hundred characters of it."""
    huge_id = "C" * 200_000
    found = errors_of(ws, [complaint(huge_id, "2025-02-03", adviser_date_of_birth="9" * 500_000)])
    row = only(found, "date_format")
    assert row["complaint_id"] == "C" * 200 + "... (200000 characters)"
    assert row["value"] == "*" * 60 + "... (500000 characters)"
