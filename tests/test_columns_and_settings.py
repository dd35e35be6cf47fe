"""Extract columns are never used or ignored silently, and validate/run print the settings every figure uses.

A near miss of a documented column is an error with a did-you-mean (exit 2: the file's shape is wrong, like a
missing required column); other unknown columns are one warning and change no figure; an absent optional column
is named with the default used; a repeated header is an error.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reportkit import api, cli
from reportkit.errors import InputError
from reportkit.extract import check_header, columns_found, near_misses, read_complaints
from reportkit.runner import run
from reportkit.schema import load_schema
from reportkit.settings import config_lines, settings_lines
from tests.conftest import FIRM, H1_2025_END, complaint

COMPLAINTS = load_schema("complaints")
KNOWN = list(COMPLAINTS.columns)

ROWS = [
    complaint("C1", "2025-02-03", "2025-02-20", "upheld", eligible_complainant="true", forwarded="none"),
    complaint("C2", "2025-03-03", "2025-03-05", "not_upheld", eligible_complainant="false", forwarded="entire"),
    complaint("C3", "2025-04-01", redress_amount="120.50"),
]


def validate_cli(paths):
    """`reportkit validate` on the workspace's files; stdout and stderr kept apart."""
    args = ["validate", "--config", paths.config, "--complaints", paths.complaints]
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def renamed(rows: list[dict], old: str, new: str) -> list[dict]:
    return [{(new if k == old else k): v for k, v in row.items()} for row in rows]


# --- near misses: an error naming both columns -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("eligible", "eligible_complainant"),
        ("fowarded", "forwarded"),
        ("redress", "redress_amount"),
        ("Complaint_ID", "complaint_id"),
        ("received date", "received_date"),
    ],
)
def test_near_miss_is_an_input_error_with_did_you_mean(ws, written: str, meant: str) -> None:
    result = validate_cli(ws.paths(renamed(ROWS, meant, written)))
    assert result.exit_code == 2, result.output
    assert f"column `{written}` is not known; did you mean `{meant}`?" in result.stderr
    assert "complaints.csv: column" in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [  # one line; reading stops before any settings are printed
        f"error: {ws.root / 'complaints.csv'}: column `{written}` is not known; did you mean `{meant}`? "
        "(rename it to the documented name; docs/inputs.md lists every column)"
    ]


def test_every_near_miss_of_a_file_is_named_in_one_line(ws) -> None:
    rows = renamed(renamed(ROWS, "forwarded", "fowarded"), "eligible_complainant", "Eligible")
    with pytest.raises(InputError) as caught:
        read_complaints(ws.csv("complaints.csv", rows))
    message = str(caught.value)
    assert "\n" not in message
    assert re.search(
        r"column `Eligible` is not known; did you mean `eligible_complainant`\?; "
        r"column `fowarded` is not known; did you mean `forwarded`\?",
        message,
    )


def test_near_miss_of_a_column_also_present_is_an_ambiguity_error(ws) -> None:
    rows = [{**row, "Forwarded": "entire"} for row in ROWS]
    with pytest.raises(
        InputError,
        match=r"column `Forwarded` is not known; did you mean `forwarded`\? "
        r"\(`forwarded` is also present: remove or rename one of the two\)",
    ):
        read_complaints(ws.csv("complaints.csv", rows))


def test_prefix_of_several_columns_names_each() -> None:
    assert near_misses("adviser", KNOWN) == [
        "adviser_irn",
        "adviser_ni_number",
        "adviser_date_of_birth",
        "adviser_passport_number",
        "adviser_nationality",
    ]
    with pytest.raises(InputError, match=r"did you mean one of `adviser_irn`, `adviser_ni_number`, "):
        check_header([*COMPLAINTS.required, "product", "adviser"], COMPLAINTS, "x.csv")


@pytest.mark.parametrize(
    "name",
    ["agent", "notes", "branch", "status", "channel", "complaint_ref", "fos_status", "product_code", "date", "id"],
)
def test_ordinary_case_system_columns_are_not_near_misses(name: str) -> None:
    assert near_misses(name, KNOWN) == []


@given(
    column=st.sampled_from(KNOWN),
    upper=st.lists(st.booleans(), min_size=30, max_size=30),
    joiner=st.sampled_from(["_", " ", "-", "  ", " - "]),
)
def test_a_column_in_another_case_or_spacing_is_always_that_column(column: str, upper: list[bool], joiner: str) -> None:
    written = "".join(c.upper() if u else c for c, u in zip(column, upper, strict=False)).replace("_", joiner)
    if written == column:
        return
    assert near_misses(written, KNOWN) == [column]


def test_near_misses_in_the_redress_file_too(ws) -> None:
    path = ws.root / "redress.csv"
    path.write_text("complaint_id,firm_frn,paid_date,redress_type,Amount\nC1,123456,2025-02-20,financial_loss,5\n")
    with pytest.raises(InputError, match=r"redress.csv: column `Amount` is not known; did you mean `amount`\?"):
        api.read_inputs(api.InputPaths.of(ws.config(), ws.csv("complaints.csv", ROWS), path))


# --- unknown columns: one warning, no figure changes -----------------------------------------------------


def test_unknown_columns_are_one_warning(ws) -> None:
    rows = [{**row, "agent": f"h{i}", "notes": "called back"} for i, row in enumerate(ROWS)]
    result = validate_cli(ws.paths(rows))
    assert result.exit_code == 0, result.output
    assert "validation: 0 error(s), 1 warning(s)" in result.stdout
    assert "warnings by rule: unknown_columns 1" in result.stdout
    assert (
        "complaints.csv: row, column (header), value 'agent, notes': unknown_columns: 2 column(s) not in the "
        "input's documented columns are ignored: agent, notes" in result.stdout
    )


def test_unknown_columns_are_dropped_and_recorded(ws) -> None:
    rows = [{**row, "agent": "h", "notes": "n"} for row in ROWS]
    frame = read_complaints(ws.csv("complaints.csv", rows))
    assert "agent" not in frame.columns and "notes" not in frame.columns
    assert columns_found(frame).unknown == ("agent", "notes")


def test_unknown_columns_change_no_figure(ws) -> None:
    plain = ws.annex1(ROWS)
    noisy_rows = [
        {**row, "agent": f"agent {i}", "notes": "upheld" if i % 2 else "0", "branch": "Leeds"}
        for i, row in enumerate(ROWS)
    ]
    noisy = ws.annex1(noisy_rows)
    assert plain["header"]["opened"] == 2  # C2 is from an ineligible complainant
    assert noisy == plain


# --- absent optional columns are named with the default used ---------------------------------------------


def test_absent_optional_columns_are_named_with_their_default(ws) -> None:
    rows = [{k: v for k, v in row.items() if k not in ("eligible_complainant", "forwarded")} for row in ROWS]
    result = validate_cli(ws.paths(rows))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "complaints.csv: eligible_complainant absent: every complaint treated as from an eligible complainant" in (
        lines
    )
    assert "complaints.csv: forwarded absent: no complaint treated as forwarded to another respondent" in lines
    assert not any("redress_amount absent" in line for line in lines)  # present in the rows


def test_absent_column_lines_come_from_the_schema(ws) -> None:
    rows = [{k: v for k, v in row.items() if k != "redress_amount"} for row in ROWS]
    config, text = api.read_inputs(ws.paths(rows))
    lines = settings_lines(config, text, "123456")
    absent = [line for line in lines if " absent: " in line]
    expected_columns = [c for c in COMPLAINTS.optional if c not in rows[0]]
    assert absent == [f"complaints.csv: {c} absent: {COMPLAINTS.columns[c].when_absent}" for c in expected_columns]
    assert "complaints.csv: redress_amount absent: no redress from the extract (only a redress file, if given)" in (
        absent
    )


@pytest.mark.parametrize("name", ["complaints", "redress", "context"])
def test_every_optional_column_says_what_its_absence_means(name: str) -> None:
    schema = load_schema(name)
    assert [c for c in schema.optional if not schema.columns[c].when_absent] == []


# --- repeated headers ------------------------------------------------------------------------------------


def test_repeated_header_is_an_error_naming_it(ws) -> None:
    path = ws.root / "complaints.csv"
    path.write_text(
        "complaint_id,firm_frn,received_date,closed_date,outcome,product,cause,outcome\n"
        "C1,123456,2025-02-03,2025-02-20,upheld,current_accounts,delays_timescales,not_upheld\n",
        encoding="utf-8",
    )
    result = validate_cli(api.InputPaths.of(ws.config(), path))
    assert result.exit_code == 2, result.output
    assert "column `outcome` appears more than once in the header; keep one copy" in result.stderr


def test_header_repeated_with_spaces_is_an_error() -> None:
    with pytest.raises(InputError, match=r"column `outcome` appears more than once"):
        check_header([*COMPLAINTS.required, "product", "outcome", " outcome"], COMPLAINTS, "x.csv")


def test_repeated_header_in_excel_is_an_error(ws) -> None:
    path = ws.root / "complaints.xlsx"
    frame = pd.DataFrame([["C1", "123456", "2025-02-03", "current_accounts", "upheld", "not_upheld"]])
    frame.columns = ["complaint_id", "firm_frn", "received_date", "product", "outcome", "outcome"]
    frame.to_excel(path, index=False)
    with pytest.raises(InputError, match=r"complaints.xlsx: column `outcome` appears more than once"):
        read_complaints(path)


# --- settings printed ------------------------------------------------------------------------------------

SINGLE_FIRM_LINE = (
    "settings for firm 123456 (Example Bank plc): year end 31 December; reporting half-yearly; bank holidays ENG "
    "(England); "
    "returns owed annex1; products declared current_accounts, credit_cards; credit activities declared "
    "credit_broking; redress attribution closed_in_period"
)


def test_single_firm_settings_line(ws) -> None:
    config, _ = api.read_inputs(ws.paths(ROWS))
    assert config_lines(config, "123456") == [SINGLE_FIRM_LINE]


def test_validate_prints_the_settings_on_stderr(ws) -> None:
    result = validate_cli(ws.paths(ROWS))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == SINGLE_FIRM_LINE
    assert SINGLE_FIRM_LINE not in result.stdout


def group_firms() -> list[dict]:
    second = {**FIRM, "frn": "234567", "name": "Example Cards Ltd"}
    third = {**FIRM, "frn": "345678", "name": "Example Scotland Ltd", "business_days": "SCT", "products": []}
    return [{**firm, "accounting_reference_date": "03-31"} for firm in (FIRM, second, third)]


GROUP = {
    "id": "example-group",
    "reporting_firm": "123456",
    "members": ["123456", "234567", "345678"],
    "returns": ["annex1"],
}


def test_group_settings_once_then_the_member_that_differs(ws) -> None:
    config, _ = api.read_inputs(ws.paths(ROWS, firms=group_firms(), groups=[GROUP]))
    assert config_lines(config, "example-group") == [
        "settings for group example-group (members 123456, 234567, 345678; reporting firm 123456; reported jointly "
        "annex1): year end 31 March; reporting half-yearly; bank holidays ENG (England); returns owed annex1; "
        "products declared "
        "current_accounts, credit_cards; credit activities declared credit_broking; redress attribution "
        "closed_in_period",
        "  firm 345678 (Example Scotland Ltd) differs: bank holidays SCT (Scotland); products declared none",
    ]


def test_validate_without_entity_prints_groups_then_firms_in_no_group(ws) -> None:
    solo = {k: v for k, v in FIRM.items() if k != "accounting_reference_date"}
    firms = [
        *group_firms(),
        {**solo, "frn": "456789", "name": "Solo Ltd", "calendar_year": True, "returns": ["annex1ad"]},
    ]
    config, _ = api.read_inputs(ws.paths(ROWS, firms=firms, groups=[GROUP], redress_attribution="paid_in_period"))
    lines = config_lines(config)
    assert [line.split(":")[0] for line in lines] == [
        "settings for group example-group (members 123456, 234567, 345678; reporting firm 123456; reported jointly "
        "annex1)",
        "  firm 345678 (Example Scotland Ltd) differs",
        "settings for firm 456789 (Solo Ltd)",
    ]
    assert lines[0].endswith("; redress attribution paid_in_period")
    assert "year end 31 December (calendar_year: true, no accounting reference date);" in lines[2]


def test_run_prints_the_settings_before_any_figure(ws, tmp_path) -> None:
    rows = [{k: v for k, v in row.items() if k != "eligible_complainant"} for row in ROWS]
    said: list[str] = []
    run(ws.paths(rows), "123456", H1_2025_END, tmp_path / "out", said.append, notebooks=False)
    config, text = api.read_inputs(ws.paths(rows))
    expected = settings_lines(config, text, "123456")
    assert said[: len(expected)] == expected  # first, before validation and any figure
    assert expected[0] == SINGLE_FIRM_LINE
    assert (
        "complaints.csv: eligible_complainant absent: every complaint treated as from an eligible complainant"
        in expected
    )
    assert said[len(expected)].endswith("read 3 complaints from complaints.csv")
    assert said[len(expected) + 1].endswith("validating 3 complaints with expectations/ suites and named checks")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("forwarded_to_other_firm", "forwarded"),
        ("Goodwill Paid", "goodwill_payment"),
        ("goodwill_flag", "goodwill_payment"),
        ("is_eligible", "eligible_complainant"),
        ("complainant_eligible", "eligible_complainant"),
        ("total_redress", "redress_amount"),
        ("redress_paid", "redress_amount"),
    ],
)
def test_an_absent_column_under_a_longer_name_is_named_in_the_warning_not_left_silent(ws, written, meant) -> None:
    """Its values are ignored and the absent column's default is used, which changes figures if the header
    does hold that column: the unknown-columns warning says so (a warning, since an export's own columns such
    as `date_forwarded` look alike)."""
    rows = [{**row, written: "true"} for row in ROWS if meant not in row] or [
        {(written if k == meant else k): v for k, v in row.items()} for row in ROWS
    ]
    result = validate_cli(ws.paths(rows))
    assert result.exit_code == 0, result.output
    assert f"`{written}` may hold `{meant}`, which the file lacks, so its default is used" in result.stdout


@pytest.mark.parametrize(
    "name", ["product_code", "cause_description", "payment_method", "amount", "fwd_team", "redress_type"]
)
def test_a_longer_name_beside_the_column_itself_or_of_no_defaulted_column_is_only_unknown(name) -> None:
    found = check_header([*COMPLAINTS.required, "product", "cause", name], COMPLAINTS, "x.csv")
    assert found.unknown == (name,) and found.may_hold == ()


@pytest.mark.parametrize("name", ["handler_name", "date_forwarded", "fos_outcome_date", "redress_paid_date"])
def test_an_exports_own_columns_that_look_like_an_absent_one_never_stop_the_run(name) -> None:
    found = check_header([*COMPLAINTS.required, "product", "cause", name], COMPLAINTS, "x.csv")
    assert found.unknown == (name,)  # read, with a warning naming what it may hold
