"""The configuration is read strictly: unknown keys, missing required keys and wrong types are one-line errors
naming the file, the key path, the line and the column; `reportkit init-config` writes a file that loads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit import api, cli
from reportkit.calendar import ReferenceDate
from reportkit.config import (
    FIRM_KEYS,
    GROUP_KEYS,
    TOP_KEYS,
    Config,
    did_you_mean,
    key_path,
    load_config,
    parse_config,
    starting_config,
)
from reportkit.errors import InputError
from tests.conftest import FIRM, complaint

# Line numbers matter in these tests: line 1 is "firms:".
BASE = """\
firms:
  - frn: "123456"
    name: Example Bank plc
    accounting_reference_date: "12-31"
    business_days: ENG
    returns: [annex1]
  - frn: "234567"
    name: Sister Ltd
    accounting_reference_date: "12-31"
    business_days: SCT
    returns: [annex1, annex1ad]
groups:
  - id: g1
    reporting_firm: "123456"
    members: ["123456", "234567"]
    returns: [annex1]
redress_attribution: closed_in_period
"""


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(line: int, new: str | None) -> str:
    """BASE with line `line` (1-based) replaced by `new`, or removed when `new` is None."""
    lines = lines_of(BASE)
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    return "\n".join(lines) + "\n"


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    prefix = f"configuration {path}"
    assert message.startswith(prefix)
    return message[len(prefix) :]


def test_the_base_configuration_loads(tmp_path) -> None:
    config = load_config(write(tmp_path, BASE))
    assert list(config.firms) == ["123456", "234567"]
    assert config.firms["234567"].business_days == "SCT"
    assert config.firms["234567"].ard == ReferenceDate(12, 31)
    assert config.groups["g1"].name == "g1"  # a group's name is optional: its id
    assert config.groups["g1"].returns == ("annex1",)


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    "line, text, expected",
    [
        (
            5,
            "    busines_days: ENG",
            ", line 5, column 5: firms[0].busines_days: unknown key; did you mean `business_days`?",
        ),
        (
            9,
            '    acounting_reference_date: "12-31"',
            ", line 9, column 5: firms[1].acounting_reference_date: unknown key; did you mean "
            "`accounting_reference_date`?",
        ),
        (3, "    Name: Example Bank plc", ", line 3, column 5: firms[0].Name: unknown key; did you mean `name`?"),
        (6, "    return: [annex1]", ", line 6, column 5: firms[0].return: unknown key; did you mean `returns`?"),
        (
            15,
            '    member: ["123456", "234567"]',
            ", line 15, column 5: groups[0].member: unknown key; did you mean `members`?",
        ),
        (
            14,
            '    reporting-firm: "123456"',
            ", line 14, column 5: groups[0].reporting-firm: unknown key; did you mean `reporting_firm`?",
        ),
        (12, "grups:", ", line 12, column 1: grups: unknown key; did you mean `groups`?"),
        (
            17,
            "redress_atribution: closed_in_period",
            ", line 17, column 1: redress_atribution: unknown key; did you mean `redress_attribution`?",
        ),
    ],
)
def test_a_misspelt_key_is_an_error_with_did_you_mean_key_path_and_line(tmp_path, line, text, expected) -> None:
    assert error_of(tmp_path, edited(line, text)) == expected


def test_a_key_in_the_wrong_place_says_where_it_belongs(tmp_path) -> None:
    text = edited(6, "    returns: [annex1]\n    redress_attribution: paid_in_period")
    assert error_of(tmp_path, text) == (
        ", line 7, column 5: firms[0].redress_attribution: unknown key; `redress_attribution` is a key of the top "
        "level, not of a firm"
    )
    text = edited(17, "members: []")
    assert error_of(tmp_path, text) == (
        ", line 17, column 1: members: unknown key; `members` is a key of a group, not of the top level"
    )


def test_an_unknown_key_with_no_near_miss_lists_the_keys(tmp_path) -> None:
    assert error_of(tmp_path, edited(16, "    returns: [annex1]\n    colour: blue")) == (
        ", line 17, column 5: groups[0].colour: unknown key; the keys of a group are id, name, reporting_firm, "
        "members, returns"
    )


@pytest.mark.parametrize("key", [k for k in FIRM_KEYS if len(k) > 4])
def test_every_firm_key_with_a_letter_dropped_is_suggested(tmp_path, key) -> None:
    typo = key[:2] + key[3:]
    assert did_you_mean(typo, FIRM_KEYS) == key
    message = error_of(tmp_path, edited(6, f"    returns: [annex1]\n    {typo}: x"))
    assert message == f", line 7, column 5: firms[0].{typo}: unknown key; did you mean `{key}`?"


def test_the_same_key_twice_is_an_error(tmp_path) -> None:
    assert error_of(tmp_path, edited(5, "    business_days: ENG\n    business_days: SCT")) == (
        ", line 6, column 5: firms[0].business_days: the key appears twice (lines 5 and 6); keep one"
    )


def test_a_misspelt_key_does_not_fall_back_to_a_default_through_the_api(ws) -> None:
    firm = {key: value for key, value in FIRM.items() if key != "business_days"}
    firm["busines_days"] = "SCT"
    with pytest.raises(InputError, match=r"firms\[0\]\.busines_days: unknown key; did you mean `business_days`\?$"):
        api.prepare(ws.paths([complaint("C1", "2025-02-03")], firms=[firm]))


# --------------------------------------------------------------------------- required keys


@pytest.mark.parametrize(
    "line, key, meaning",
    [
        (3, "name", "the firm's name, shown on the returns and the Annex 1B summary"),
        (5, "business_days", "whose bank holidays apply: ENG, WLS, SCT or NIR"),
        (6, "returns", "the returns its permissions require: annex1, annex1ab, annex1ad, annex1c"),
    ],
)
def test_a_missing_required_firm_key_is_an_error(tmp_path, line, key, meaning) -> None:
    assert error_of(tmp_path, edited(line, None)) == (
        f", line 2, column 5: firms[0]: the required key `{key}` is missing: {meaning}"
    )


def test_a_missing_accounting_reference_date_is_an_error_that_names_calendar_year(tmp_path) -> None:
    assert error_of(tmp_path, edited(9, None)) == (
        ", line 7, column 5: firms[1]: the required key `accounting_reference_date` is missing: the firm's "
        'accounting reference date, "MM-DD" (a firm with no accounting reference date whose only return is annex1ad '
        "writes calendar_year: true instead)"
    )


def test_a_missing_frn_is_an_error(tmp_path) -> None:
    text = edited(2, "  - name: Example Bank plc").replace("    name: Example Bank plc\n", "", 1)
    assert error_of(tmp_path, text) == (
        ", line 2, column 5: firms[0]: the required key `frn` is missing: the firm's FCA Firm Reference Number "
        "(6 or 7 digits, in quotes)"
    )


def test_several_missing_keys_are_named_together(tmp_path) -> None:
    assert error_of(tmp_path, 'firms:\n  - frn: "123456"\n    accounting_reference_date: "12-31"\n') == (
        ", line 2, column 5: firms[0]: the required keys `name`, `business_days`, `returns` are missing; add them "
        "(`reportkit init-config` writes a commented example)"
    )


@pytest.mark.parametrize(
    "line, key",
    [(13, "id"), (14, "reporting_firm"), (15, "members"), (16, "returns")],
)
def test_a_missing_required_group_key_is_an_error(tmp_path, line, key) -> None:
    text = edited(line, None)
    if line == 13:  # the id opens the list item
        text = text.replace('    reporting_firm: "123456"', '  - reporting_firm: "123456"')
    message = error_of(tmp_path, text)
    assert message.startswith(f", line 13, column 5: groups[0]: the required key `{key}` is missing: ")
    assert message.endswith(GROUP_KEYS[key].meaning)


def test_firms_are_required(tmp_path) -> None:
    assert error_of(tmp_path, "groups: []\n") == (
        ", line 1, column 1: the required key `firms` is missing: the firms whose complaints are reported"
    )
    assert error_of(tmp_path, "firms: []\n") == (
        ", line 1, column 8: firms: expected a non-empty 'firms' list, got a list []"
    )


# --------------------------------------------------------------------------- calendar_year


def calendar_year_firm(returns: str, extra: str = "") -> str:
    return (
        f'firms:\n  - frn: "123456"\n    name: Pay Ltd\n    calendar_year: true\n{extra}    business_days: ENG\n'
        f"    returns: {returns}\n"
    )


def test_calendar_year_true_for_an_annex1ad_only_firm_uses_calendar_years(tmp_path) -> None:
    path = write(tmp_path, calendar_year_firm("[annex1ad]"))
    firm = load_config(path).firms["123456"]
    assert (firm.calendar_year, firm.accounting_reference_date) == (True, None)
    result = CliRunner().invoke(
        cli.main,
        [
            "calendar",
            "--config",
            str(path),
            "--entity",
            "123456",
            "--from",
            "2025-01-01",
            "--to",
            "2026-12-31",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["return"], r["period_start"], r["period_end"]) for r in rows] == [
        ("annex1ad", "2025-01-01", "2025-12-31"),
        ("annex1ad", "2026-01-01", "2026-12-31"),
    ]


@pytest.mark.parametrize(
    "returns, named", [("[annex1ad, annex1]", "annex1"), ("[annex1c, annex1ab]", "annex1c, annex1ab")]
)
def test_calendar_year_is_refused_for_returns_that_need_an_ard(tmp_path, returns, named) -> None:
    assert error_of(tmp_path, calendar_year_firm(returns)) == (
        ", line 4, column 20: firms[0].calendar_year: true (no accounting reference date) is only for a firm whose "
        f"only return is annex1ad (DISP 1.10B.9D), but its returns include {named}, whose periods follow from the "
        "accounting reference date (DISP 1.10.4R): give accounting_reference_date"
    )


def test_calendar_year_and_an_ard_together_are_refused(tmp_path) -> None:
    text = calendar_year_firm("[annex1ad]", '    accounting_reference_date: "03-31"\n')
    assert error_of(tmp_path, text) == (
        ", line 4, column 20: firms[0].calendar_year: give either accounting_reference_date or calendar_year: true, "
        "not both (calendar_year: true is for a firm that has no accounting reference date)"
    )


def test_calendar_year_false_still_needs_an_ard_and_may_stand_beside_one(tmp_path) -> None:
    text = calendar_year_firm("[annex1ad]").replace("calendar_year: true", "calendar_year: false")
    assert "the required key `accounting_reference_date` is missing" in error_of(tmp_path, text)
    text = text.replace("calendar_year: false", 'calendar_year: false\n    accounting_reference_date: "03-31"')
    firm = load_config(write(tmp_path, text)).firms["123456"]
    assert (firm.calendar_year, firm.accounting_reference_date) == (False, ReferenceDate(3, 31))


def test_the_1ad_only_firm_without_ard_builds_a_calendar_year_return(ws) -> None:
    firm = {key: value for key, value in FIRM.items() if key != "accounting_reference_date"}
    firm.update(calendar_year=True, returns=["annex1ad"], payment_services=["credit_transfers"])
    with pytest.raises(InputError, match=r"firms\[0\]\.calendar_year: true \(no accounting reference date\)"):
        api.prepare(ws.paths([complaint("C1", "2025-02-03")], firms=[{**firm, "returns": ["annex1", "annex1ad"]}]))


# --------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    "line, text, expected",
    [
        (
            17,
            "change_warning_ratio: abc",
            ", line 17, column 23: change_warning_ratio: must be a number of at least 1 (e.g. 2.0), got the text 'abc'",
        ),
        (
            17,
            "change_warning_ratio: .nan",
            ", line 17, column 23: change_warning_ratio: must be a number of at least 1 (e.g. 2.0), got the number nan",
        ),
        (
            17,
            "change_warning_ratio: true",
            ", line 17, column 23: change_warning_ratio: must be a number of at least 1 (e.g. 2.0), got true",
        ),
        (
            17,
            "change_warning_minimum: 2.5",
            ", line 17, column 25: change_warning_minimum: must be a whole number of at least 0 (e.g. 20), got the "
            "number 2.5",
        ),
        (
            17,
            "change_warning_minimum: -1",
            ", line 17, column 25: change_warning_minimum: must be a whole number of at least 0 (e.g. 20), got the "
            "number -1",
        ),
        (
            17,
            "redress_attribution: paid",
            ", line 17, column 22: redress_attribution: 'paid' must be closed_in_period or paid_in_period",
        ),
        (
            6,
            '    returns: [annex1]\n    annual_reporter: "yes"',
            ", line 7, column 22: firms[0].annual_reporter: must be true or false, got the text 'yes'",
        ),
        (
            6,
            "    returns: [annex1]\n    annual_reporter: yes",  # YAML 1.1 would read this as true: refused, not guessed
            ", line 7, column 22: firms[0].annual_reporter: must be true or false, got the text 'yes'",
        ),
        (
            6,
            "    returns: [annex1]\n    publication_consent: 1",
            ", line 7, column 26: firms[0].publication_consent: must be true or false, got the number 1",
        ),
        (
            6,
            "    returns: [annex1]\n    products: credit_cards",
            ", line 7, column 15: firms[0].products: must be a list such as [credit_cards], got the text "
            "'credit_cards'; write [] for none",
        ),
        (
            6,
            "    returns: [annex1]\n    products:",
            ", line 7, column 14: firms[0].products: must be a list such as [], got nothing (null); write [] for none",
        ),
        (
            6,
            "    returns: [annex1]\n    products: [credit_card]",
            ", line 7, column 16: firms[0].products[0]: products has unknown codes ['credit_card']; did you mean "
            "`credit_cards`? allowed: `reportkit codes part_a_products` lists them",
        ),
        (
            6,
            "    returns: [annex1]\n    products: [credit_cards, credit_cards]",
            ", line 7, column 30: firms[0].products[1]: credit_cards is listed twice",
        ),
        (
            6,
            "    returns: [annex1]\n    payment_services: [7]",
            ", line 7, column 24: firms[0].payment_services[0]: must be a code (text), got the number 7",
        ),
        (
            6,
            "    returns: [annex1]\n    trading_names: Example",
            ", line 7, column 20: firms[0].trading_names: must be a list such as [Example], got the text 'Example'; "
            "write [] for none",
        ),
        (
            2,
            "  - frn: 123456",
            ", line 2, column 10: firms[0].frn: the FRN 123456 is written as a number; write it in quotes "
            '("123456") so that YAML keeps it as text, leading zeros included',
        ),
        (
            2,
            "  - frn: 012345",
            ", line 2, column 10: firms[0].frn: the FRN 012345 is written as a number; write it in quotes "
            '("012345") so that YAML keeps it as text, leading zeros included',
        ),
        (
            15,
            '    members: ["123456", 234567]',
            ", line 15, column 25: groups[0].members[1]: the FRN 234567 is written as a number; write it in quotes "
            '("234567") so that YAML keeps it as text, leading zeros included',
        ),
        (
            15,
            '    members: "123456"',
            ", line 15, column 14: groups[0].members: must be a list such as [123456], got the text '123456'; write "
            "[] for none",
        ),
        (
            3,
            "    name: 2020",
            ", line 3, column 11: firms[0].name: must be text, got the number 2020; put it in quotes",
        ),
        (3, '    name: " "', ", line 3, column 11: firms[0].name: must not be empty"),
        (
            5,
            "    business_days: eng",
            ", line 5, column 20: firms[0].business_days: business_days 'eng' must be one of ENG, WLS, SCT, NIR; did "
            "you mean `ENG`?",
        ),
        (
            5,
            "    business_days: [ENG]",
            ", line 5, column 20: firms[0].business_days: business_days ['ENG'] must be one of ENG, WLS, SCT, NIR",
        ),
        (
            6,
            "    returns: annex1",
            ", line 6, column 14: firms[0].returns: must be a list such as [annex1], got the text 'annex1'; write [] "
            "for none",
        ),
        (
            6,
            "    returns: []",
            ", line 6, column 14: firms[0].returns: must list at least one of annex1, annex1ab, annex1ad, annex1c",
        ),
        (
            6,
            "    returns: [annex1b]",
            ", line 6, column 15: firms[0].returns[0]: returns has unknown codes ['annex1b']; did you mean `annex1ab`? "
            "allowed: annex1, annex1ab, annex1ad, annex1c",
        ),
        (
            4,
            "    accounting_reference_date: 2025-12-31",
            ', line 4, column 32: firms[0].accounting_reference_date: must be month and day "MM-DD" in quotes (e.g. '
            '"12-31"), got the date 2025-12-31',
        ),
        (
            4,
            "    accounting_reference_date: 1231",
            ', line 4, column 32: firms[0].accounting_reference_date: must be month and day "MM-DD" in quotes (e.g. '
            '"12-31"), got the number 1231',
        ),
        (
            4,
            "    accounting_reference_date:",
            ', line 4, column 31: firms[0].accounting_reference_date: must be month and day "MM-DD" in quotes (e.g. '
            '"12-31"), got nothing (null)',
        ),
        (
            4,
            '    accounting_reference_date: "02-30"',
            ", line 4, column 32: firms[0].accounting_reference_date: accounting reference date '02-30' is not MM-DD "
            '(e.g. "12-31")',
        ),
        (
            2,
            '  - "123456"',
            ", line 2, column 5: firms[0]: each firm must be a mapping of keys (frn: ..., name: ...), got the "
            "text '123456'",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_a_one_line_error(tmp_path, line, text, expected) -> None:
    if line == 2 and text == '  - "123456"':
        base = "\n".join(lines_of(BASE)[:1] + [text] + lines_of(BASE)[6:]) + "\n"
        assert error_of(tmp_path, base) == expected
        return
    assert error_of(tmp_path, edited(line, text)) == expected


def test_a_huge_value_is_cut_short_in_the_message(tmp_path) -> None:
    message = error_of(tmp_path, edited(17, f"change_warning_ratio: {'x' * 5000}"))
    assert message == (
        ", line 17, column 23: change_warning_ratio: must be a number of at least 1 (e.g. 2.0), got the text "
        f"'{'x' * 56}..."
    )


# --------------------------------------------------------------------------- the existing group checks


@pytest.mark.parametrize(
    "line, text, expected",
    [
        (
            13,
            "  - id: ../../x",
            ", line 13, column 9: groups[0].id: group id '../../x' must be text of letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 64 characters (it names the output folder)",
        ),
        (
            13,
            '  - id: "123456"',
            ", line 13, column 9: groups[0].id: group id 123456 is also a firm's FRN; give the group another id",
        ),
        (
            15,
            '    members: ["123456", "345678"]',
            ", line 15, column 25: groups[0].members[1]: 345678 is not a firm in the configuration; add it to firms or "
            "remove it from members",
        ),
        (
            15,
            '    members: ["123456", "123456"]',
            ", line 15, column 25: groups[0].members[1]: 123456 is listed twice",
        ),
        (
            14,
            '    reporting_firm: "345678"',
            ", line 14, column 21: groups[0].reporting_firm: reporting_firm 345678 is not one of its members "
            "['123456', '234567']",
        ),
        (
            7,
            '  - frn: "123456"',
            ", line 7, column 10: firms[1].frn: firm 123456 is listed twice (firms[0] and firms[1]); list each firm "
            "once",
        ),
    ],
)
def test_group_and_firm_identity_checks(tmp_path, line, text, expected) -> None:
    assert error_of(tmp_path, edited(line, text)) == expected


def test_two_groups_clash_on_a_joint_return_or_an_id(tmp_path) -> None:
    second = '  - id: g2\n    reporting_firm: "234567"\n    members: ["234567"]\n    returns: [annex1ad, annex1]\n'
    text = BASE.replace("redress_attribution", second + "redress_attribution")
    assert error_of(tmp_path, text) == (
        ", line 20, column 14: groups[1].returns: groups g1 and g2 both report annex1 jointly for firm 234567, so its "
        "complaints would be reported twice; remove annex1 from the returns of one group or firm 234567 from its "
        "members"
    )
    assert load_config(write(tmp_path, text.replace("[annex1ad, annex1]", "[annex1ad]"))).groups["g2"].returns == (
        "annex1ad",
    )
    assert error_of(tmp_path, text.replace("id: g2", "id: g1")) == (
        ", line 17, column 9: groups[1].id: the id g1 is used by groups[0] and groups[1]; a group id names one group, "
        "so give each group its own id"
    )


# --------------------------------------------------------------------------- the file itself


def test_a_yaml_syntax_error_gives_line_and_column(tmp_path) -> None:
    assert error_of(tmp_path, edited(6, "    returns: [annex1")) == (
        ", line 7, column 8: cannot be read as YAML: while parsing a flow sequence; expected ',' or ']', but got ':'"
    )
    assert error_of(tmp_path, edited(5, "\tbusiness_days: ENG")) == (
        ", line 5, column 1: cannot be read as YAML: while scanning for the next token; found character '\\t' that "
        "cannot start any token"
    )


def test_yaml_aliases_load_but_an_alias_bomb_is_refused(tmp_path) -> None:
    # yaml.safe_dump writes a list used twice as an anchor and an alias: such a file loads.
    returns = ["annex1"]
    firm = {**FIRM, "returns": returns}
    text = yaml.safe_dump({"firms": [firm, {**firm, "frn": "234567", "returns": returns}]})
    assert "*id001" in text
    assert load_config(write(tmp_path, text)).firms["234567"].returns == ("annex1",)
    bomb = "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
    )
    assert error_of(tmp_path, bomb) == (
        ", line 1, column 37: the configuration has more than 100,000 values, which no configuration needs (YAML "
        "aliases that repeat each other?); write the values out"
    )
    assert error_of(tmp_path, "firms: &a [*a]\n") == (
        ", line 1, column 8: the configuration has nesting deeper than 20, which no configuration needs (YAML "
        "aliases that repeat each other?); write the values out"
    )


def test_an_empty_or_non_mapping_or_non_utf8_file(tmp_path) -> None:
    assert error_of(tmp_path, "# nothing yet\n") == (
        " is empty: it needs a `firms:` list (`reportkit init-config` writes a starting configuration)"
    )
    assert error_of(tmp_path, "- a\n- b\n") == (
        ", line 1, column 1: expected a mapping with a non-empty 'firms' list, got a list ['a', 'b']"
    )
    assert error_of(tmp_path, BASE.split("groups:")[0] + "groups: g1\n") == (
        ", line 12, column 9: groups: must be a list of groups, got the text 'g1'"
    )
    path = tmp_path / "config.yaml"
    path.write_bytes(BASE.encode("utf-16"))
    with pytest.raises(InputError, match=r"^configuration file \S+ is not UTF-8 text \(byte 1\); save it as UTF-8$"):
        load_config(path)
    assert error_of(tmp_path, "firms:\n  - frn: \x07\n") == (
        ": cannot be read as YAML: line 2, column 10: the character U+0007 is not allowed in YAML; remove it"
    )
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())  # a byte order mark is fine
    assert list(load_config(path).firms) == ["123456", "234567"]


def test_key_path_text() -> None:
    assert key_path(("firms", 2, "business_days")) == "firms[2].business_days"
    assert key_path(("groups", 0, "members", 1)) == "groups[0].members[1]"
    assert key_path(()) == ""


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "command",
    [
        ["calendar", "--entity", "123456"],
        ["validate", "--complaints", "{complaints}"],
        ["run", "--entity", "123456", "--period-end", "2025-06-30", "--complaints", "{complaints}", "--out", "{out}"],
    ],
)
def test_the_cli_gives_exit_2_and_one_line_without_a_traceback(tmp_path, command) -> None:
    config = write(tmp_path, edited(17, "change_warning_ratio: abc"))
    complaints = tmp_path / "complaints.csv"
    complaints.write_text("complaint_id,firm_frn,received_date\nC1,123456,2025-02-03\n", encoding="utf-8")
    args = [a.format(complaints=complaints, out=tmp_path / "out") for a in command]
    done = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", args[0], "--config", str(config), *args[1:]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"error: configuration {config}, line 17, column 23: change_warning_ratio: must be a number of at least 1 "
        "(e.g. 2.0), got the text 'abc'\n"
    )
    assert "Traceback" not in done.stderr + done.stdout


# --------------------------------------------------------------------------- init-config


def init(*args: str):
    return CliRunner().invoke(cli.main, ["init-config", *[str(a) for a in args]])


def test_init_config_for_a_firm_loads_as_written_and_is_valid_for_calendar(tmp_path) -> None:
    out = tmp_path / "config.yaml"
    result = init("--frn", "123456", "--name", "Example Bank plc", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"wrote {out}"
    config = load_config(out)
    firm = config.firms["123456"]
    assert (firm.name, str(firm.ard), firm.business_days, firm.returns) == (
        "Example Bank plc",
        "12-31",
        "ENG",
        ("annex1",),
    )
    assert (firm.products, firm.annual_reporter, firm.publication_consent, config.groups) == ((), False, False, {})
    calendar = CliRunner().invoke(
        cli.main, ["calendar", "--config", str(out), "--entity", "123456", "--from", "2025-06-30", "--to", "2025-06-30"]
    )
    assert calendar.exit_code == 0, calendar.output
    assert calendar.stdout.splitlines()[-1].split() == [
        "annex1", "123456", "2025-01-01", "2025-06-30", "2025-08-11", "2025-08-31", "current", "-",
    ]  # fmt: skip


def test_init_config_for_a_group_loads_and_plans_the_joint_return(tmp_path) -> None:
    out = tmp_path / "group.yaml"
    result = init(
        "--frn", "123456", "--name", "Bank", "--frn", "234567", "--name", "Sister", "--group", "bank-group",
        "--group-name", "Bank Group", "--ard", "03-31", "--business-days", "SCT", "--returns", "annex1,annex1c",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = load_config(out)
    group = config.groups["bank-group"]
    assert (group.name, group.reporting_firm, group.members, group.returns) == (
        "Bank Group", "123456", ("123456", "234567"), ("annex1", "annex1c"),
    )  # fmt: skip
    assert {(f.frn, str(f.ard), f.business_days) for f in config.firms.values()} == {
        ("123456", "03-31", "SCT"),
        ("234567", "03-31", "SCT"),
    }
    calendar = CliRunner().invoke(
        cli.main,
        ["calendar", "--config", str(out), "--entity", "bank-group", "--from", "2025-09-30", "--to", "2025-09-30",
         "--json"],
    )  # fmt: skip
    assert calendar.exit_code == 0, calendar.output
    assert sorted((r["return"], r["frn"]) for r in json.loads(calendar.stdout)) == [
        ("annex1", "123456"),
        ("annex1", "234567"),
        ("annex1c", "123456"),
        ("annex1c", "234567"),
    ]


def test_init_config_calendar_year_firm(tmp_path) -> None:
    result = init("--frn", "123456", "--name", "Pay Ltd", "--calendar-year", "--returns", "annex1ad")
    assert result.exit_code == 0, result.output
    firm = parse_config(result.stdout, Path("x.yaml")).firms["123456"]
    assert (firm.calendar_year, firm.returns) == (True, ("annex1ad",))


def test_init_config_never_overwrites_a_file(tmp_path) -> None:
    out = tmp_path / "config.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = init("--frn", "123456", "--name", "Bank", "--out", out)
    assert result.exit_code == 2
    assert result.stderr == f"error: {out} already exists; init-config never overwrites a file: choose another --out\n"
    assert out.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--frn", "12345", "--name", "A"], "--frn '12345' is not 6 or 7 digits"),
        (["--frn", "123456"], "Missing option '--name'"),
        (
            ["--frn", "123456", "--frn", "234567", "--name", "A"],
            "give one --name per --frn, in the same order: got 2 --frn, 1 --name",
        ),  # fmt: skip
        (
            ["--frn", "123456", "--name", "A", "--returns", "anex1c"],
            "--returns: 'anex1c' is not a return code; did "
            "you mean `annex1c`? allowed: annex1, annex1ab, annex1ad, annex1c",
        ),  # fmt: skip
        (["--frn", "123456", "--name", "A", "--ard", "31-12"], "--ard: accounting reference date '31-12' is not MM-DD"),
        (["--frn", "123456", "--name", "A", "--business-days", "UK"], "--business-days: 'UK' must be one of ENG"),
        (
            ["--frn", "123456", "--name", "A", "--calendar-year"],
            "--calendar-year is only for a firm with no accounting reference date whose only return is annex1ad",
        ),  # fmt: skip
        (["--frn", "123456", "--name", "A", "--group", "g"], "--group g: a joint report covers two or more firms"),
        (
            ["--frn", "123456", "--name", "A", "--frn", "234567", "--name", "B", "--group", "../g"],
            "--group '../g': a group id is letters, digits",
        ),  # fmt: skip
        (["--frn", "123456", "--name", "A", "--frn", "123456", "--name", "B"], "--frn: each firm once"),
        (["--frn", "123456", "--name", " "], "--name for firm 123456 is empty"),
    ],
)
def test_init_config_refuses_bad_options_with_exit_2(args, message) -> None:
    result = init(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_init_config_names_every_required_key_and_comments_out_every_optional_one() -> None:
    text = starting_config([("123456", "Bank"), ("234567", "Sister")], group="g")
    firm_block = text.split('  - frn: "234567"')[0]
    for key, spec in FIRM_KEYS.items():
        if key in ("frn", "calendar_year"):
            continue
        pattern = rf"^    {key}: " if spec.required else rf"^    # {key}: "
        assert re.search(pattern, firm_block, re.MULTILINE), key
    assert "calendar_year: true" in firm_block  # explained where the ARD is
    for key in ("part_a_products", "part_b_credit_activities", "payment_services", "cmc_claim_types", "business_days"):
        assert f"`reportkit codes {key}`" in firm_block
    for key, spec in GROUP_KEYS.items():
        if key != "id":
            assert re.search(rf"^    {'' if spec.required else '# '}{key}: ", text, re.MULTILINE), key
    for key in TOP_KEYS:
        if key not in ("firms", "groups"):
            assert re.search(rf"^# {key}: ", text, re.MULTILINE), key


def test_uncommenting_every_optional_key_changes_nothing() -> None:
    """The defaults the starting file shows are the loader's defaults."""
    text = starting_config([("123456", "Bank"), ("234567", "Sister")], group="g", returns=["annex1", "annex1ad"])
    known = {*FIRM_KEYS, *GROUP_KEYS, *TOP_KEYS}
    uncommented = re.sub(
        r"^(\s*)# (\w+): ", lambda m: f"{m[1]}{m[2]}: " if m[2] in known else m[0], text, flags=re.MULTILINE
    )
    assert uncommented.count("# ") < text.count("# ")
    assert "    products: []" in uncommented and "change_warning_minimum: 20" in uncommented
    assert parse_config(uncommented, Path("a.yaml")) == Config(**{**parse_config(text, Path("a.yaml")).__dict__})


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"), min_size=1
).filter(lambda s: s.strip() == s and s.strip() != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, group_name=NAMES)
def test_any_name_round_trips_through_init_config(name: str, group_name: str) -> None:
    text = starting_config([("123456", name), ("234567", "B")], group="g", group_name=group_name)
    config = parse_config(text, Path("x.yaml"))
    assert config.firms["123456"].name == name
    assert config.groups["g"].name == group_name


# --------------------------------------------------------------------------- the docs


def test_every_key_is_in_the_configuration_reference() -> None:
    page = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key in (*FIRM_KEYS, *GROUP_KEYS, *TOP_KEYS):
        assert f"| `{key}` |" in page, key
    assert "reportkit init-config" in page


def test_the_example_in_the_configuration_reference_loads(tmp_path) -> None:
    page = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", page, re.DOTALL)[1]
    config = parse_config(example, Path("configuration.md"))
    assert list(config.firms) == ["123456", "234567"]
    assert config.groups["example-group"].members == ("123456", "234567")


CMC_FIRM = """\
firms:
  - frn: "123456"
    name: Example Claims Ltd
    accounting_reference_date: "09-30"
    business_days: ENG
    returns: [annex1ab]
    cmc_claim_types: [financial_services]
"""


def test_a_claims_management_only_firm_reports_annually_when_annual_reporter_is_left_out(tmp_path) -> None:
    """DISP 1.10.1R(2)(b): its Annex 1AB covers the year after its ARD, not two half-years."""
    path = write(tmp_path, CMC_FIRM)
    assert load_config(path).firms["123456"].annual_reporter is True
    result = CliRunner().invoke(
        cli.main,
        ["calendar", "--config", str(path), "--entity", "123456", "--from", "2025-01-01", "--to", "2026-12-31",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [(r["return"], r["period_start"], r["period_end"]) for r in json.loads(result.stdout)] == [
        ("annex1ab", "2024-10-01", "2025-09-30"),
        ("annex1ab", "2025-10-01", "2026-09-30"),
        ("annex1ab", "2026-10-01", "2026-12-31"),  # shortened at the 2027 boundary
    ]


def test_a_claims_management_only_firm_given_annual_reporter_false_is_refused(tmp_path) -> None:
    text = CMC_FIRM.replace("    returns: [annex1ab]\n", "    returns: [annex1ab]\n    annual_reporter: false\n")
    assert error_of(tmp_path, text) == (
        ", line 7, column 22: firms[0].annual_reporter: a firm whose only return is annex1ab has permission for "
        "claims management only, so it reports once a year (DISP 1.10.1R(2)(b)): set annual_reporter: true or "
        "leave it out"
    )


@pytest.mark.parametrize("returns", ["[annex1]", "[annex1, annex1ab]"])
def test_annual_reporter_left_out_is_false_for_any_other_firm(tmp_path, returns) -> None:
    text = CMC_FIRM.replace("returns: [annex1ab]", f"returns: {returns}")
    assert load_config(write(tmp_path, text)).firms["123456"].annual_reporter is False


def test_init_config_for_a_claims_management_firm_shows_annual_reporter_true() -> None:
    text = starting_config([("123456", "Claims Ltd")], returns=["annex1ab"])
    assert "    # annual_reporter: true\n" in text
    assert parse_config(text, Path("a.yaml")).firms["123456"].annual_reporter is True
