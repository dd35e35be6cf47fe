"""The MI pack's inputs: the firm's `mi:` settings read strictly, and the MI-only extract columns validated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reportkit import api
from reportkit.config import parse_config
from reportkit.errors import InputError, ValidationFailed
from reportkit.mi_settings import ServiceLevel
from tests.conftest import FIRM, complaint


def config_with(mi) -> str:
    return yaml.safe_dump({"firms": [{**FIRM, "mi": mi}]}, sort_keys=False)


def test_mi_settings_are_read() -> None:
    mi = {
        "service_levels": {"default": {"weeks": 4}, "banking_credit_cards": {"business_days": 10}},
        "redress_plan": {"total": 9000, "home_finance": 50.5},
        "authority_limits": {"default": 250, "handlers": {"H7": 1000}},
    }
    settings = parse_config(config_with(mi), Path("c.yaml")).firms["123456"].mi
    assert settings.service_level("banking_credit_cards") == ServiceLevel(business_days=10)
    assert settings.service_level("investments") == ServiceLevel(weeks=4)
    assert settings.redress_plan == {"total": 9000.0, "home_finance": 50.5}
    assert settings.authority_limit("H7") == 1000.0
    assert settings.authority_limit("H1") == 250.0


def test_a_firm_without_mi_settings_has_none() -> None:
    settings = parse_config(yaml.safe_dump({"firms": [FIRM]}), Path("c.yaml")).firms["123456"].mi
    assert settings.service_levels == {} and settings.authority_limit("H1") is None


@pytest.mark.parametrize(
    ("mi", "message"),
    [
        ({"service_level": {}}, r"firms\[0\]\.mi\.service_level: unknown key; did you mean `service_levels`\?"),
        ({"service_levels": {"banking": {"weeks": 2}}}, r"'banking' is not an MI product group"),
        (
            {"service_levels": {"home_finanse": {"weeks": 2}}},
            r"mi\.service_levels\.home_finanse: .*did you mean `home_finance`\?",
        ),
        (
            {"service_levels": {"default": {"weeks": 2, "business_days": 3}}},
            r"give exactly one of business_days or weeks",
        ),
        ({"service_levels": {"default": {"days": 2}}}, r"service_levels\.default\.days: unknown key"),
        ({"service_levels": {"default": {"weeks": 0}}}, r"must be a whole number of at least 1, got the number 0"),
        ({"service_levels": {"default": 10}}, r"must be a mapping \(\{business_days: N\} or \{weeks: N\}\)"),
        ({"redress_plan": {"total": -5}}, r"redress_plan\.total: must be an amount in pounds of at least 0"),
        ({"redress_plan": {"total": "lots"}}, r"got the text 'lots'"),
        (
            {"authority_limits": {"default": 0}},
            r"authority_limits\.default: must be an amount in pounds of more than 0",
        ),
        ({"authority_limits": {"handler": {"H1": 5}}}, r"unknown key; did you mean `handlers`\?"),
        ({"authority_limits": {"handlers": {"H1": True}}}, r"handlers\.H1: must be an amount"),
        ("yes", r"firms\[0\]\.mi: must be a mapping"),
    ],
)
def test_bad_mi_settings_are_one_line_errors_naming_the_key(mi, message) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_config(config_with(mi), Path("c.yaml"))
    assert "\n" not in str(raised.value)
    assert "line " in str(raised.value)  # where in the file


def test_a_bad_mi_setting_exits_2_from_the_command_line(tmp_path) -> None:
    from click.testing import CliRunner

    from reportkit.cli import main

    (tmp_path / "c.yaml").write_text(config_with({"servce_levels": {}}), encoding="utf-8")
    (tmp_path / "x.csv").write_text("complaint_id,firm_frn,received_date,product,cause\n", encoding="utf-8")
    args = ["mi", "--config", str(tmp_path / "c.yaml"), "--entity", "123456", "--complaints", str(tmp_path / "x.csv")]
    result = CliRunner().invoke(main, [*args, "--to", "2025-12-31", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "did you mean `service_levels`?" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))


# --------------------------------------------------------------------------- the MI-only columns


def findings(ws, rows) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationFailed) as failed:
        api.prepare(ws.paths(rows))
    errors = failed.value.report.errors
    return sorted(zip(errors["complaint_id"], errors["column"], errors["rule"], strict=True))


def test_an_ombudsman_outcome_needs_a_referral_date(ws) -> None:
    rows = [complaint("A", "2025-01-02", "2025-01-10", fos_outcome="settled"), complaint("B", "2025-01-02")]
    assert findings(ws, rows) == [("A", "fos_outcome", "fos_outcome_without_referral")]


def test_a_handler_is_a_short_staff_id_on_one_line(ws) -> None:
    rows = [
        complaint("A", "2025-01-02", "2025-01-10", handler="H" * 64),  # the longest id allowed
        complaint("B", "2025-01-02", "2025-01-10", handler="H" * 65),
        complaint("C", "2025-01-02", "2025-01-10", handler="Jo Bloggs\nsaid the customer was rude"),
        complaint("D", "2025-01-02"),  # no handler yet: nothing to check
    ]
    assert findings(ws, rows) == [("B", "handler", "handler_form"), ("C", "handler", "handler_form")]


def test_a_referral_cannot_come_before_the_complaint(ws) -> None:
    rows = [complaint("A", "2025-03-02", "2025-03-10", fos_referred_date="2025-03-01")]
    assert findings(ws, rows) == [("A", "fos_referred_date", "fos_referred_before_received")]


def test_unknown_ombudsman_outcomes_and_bad_dates_are_named(ws) -> None:
    rows = [
        complaint("A", "2025-01-02", "2025-01-10", fos_referred_date="2025-02-01", fos_outcome="won"),
        complaint("B", "2025-01-02", "2025-01-10", fos_referred_date="2025-02-30"),
        complaint("C", "2025-01-02", "2025-01-10", fos_referred_date="9999-12-31"),
    ]
    assert findings(ws, rows) == [
        ("A", "fos_outcome", "fos_outcome_code"),
        ("B", "fos_referred_date", "date_format"),
        ("C", "fos_referred_date", "far_future_placeholder"),
    ]


def test_the_mi_columns_change_no_return_figure(ws) -> None:
    plain = [complaint("A", "2025-01-02", "2025-01-10", "upheld"), complaint("B", "2025-02-02")]
    extra = [
        {**plain[0], "handler": "H1", "fos_referred_date": "2025-03-01", "fos_outcome": "not_upheld"},
        {**plain[1], "handler": "H2", "vulnerable_customer": ""},
    ]
    assert ws.annex1(plain)["tables"] == ws.annex1(extra)["tables"]


def test_a_misspelt_mi_column_is_refused_with_did_you_mean(ws) -> None:
    rows = [complaint("A", "2025-01-02", fos_refered_date="2025-01-05")]
    with pytest.raises(InputError, match="did you mean `fos_referred_date`"):
        api.prepare(ws.paths(rows))


def test_an_unquoted_handler_id_keeps_its_leading_zeros() -> None:
    """YAML would read `007:` as the number 7, which matches no handler: a key is kept as it is written."""
    text = config_with({"authority_limits": {"handlers": {"H007": 1000}}}).replace("H007", "007")
    (firm,) = parse_config(text, Path("c.yaml")).firms.values()
    assert firm.mi.authority_handlers == {"007": 1000.0}
