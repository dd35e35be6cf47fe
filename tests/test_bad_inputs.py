"""Bad inputs and an unlucky machine: every failure is one line with its exit code (4 for the environment), the
file's real format is named, no row content reaches a message, line numbers are the file's, nothing is dropped
without a word."""

from __future__ import annotations

import csv
import errno
import gzip
import io
import json
import pathlib
import time

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit import api, cli
from reportkit.errors import EnvironmentProblem, InputError
from reportkit.extract import csv_records, read_complaints
from reportkit.runner import run
from tests.conftest import FIRM, H1_2025_END, complaint

HEADER = "complaint_id,firm_frn,received_date,closed_date,outcome,product,cause"
ROW = "C{n},123456,2025-02-03,,,current_accounts,delays_timescales"


def invoke(*args) -> tuple[int, list[str], str]:
    """Run the CLI in-process: exit code, stderr lines, stdout. Anything but a clean exit fails the test."""
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exc_info is None or result.exc_info[0] is SystemExit, result.exc_info
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result.exit_code, result.stderr.splitlines(), result.stdout


def error_line(code: int, *args) -> str:
    """The one `error:` line a failing command prints, checking its exit code."""
    exit_code, lines, _ = invoke(*args)
    errors = [line for line in lines if line.startswith("error:")]
    assert exit_code == code, lines
    assert len(errors) == 1, lines
    return errors[0]


def write(ws, name: str, text: str | bytes) -> pathlib.Path:
    path = ws.root / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def validate_args(ws, complaints: pathlib.Path) -> list:
    return ["validate", "--config", ws.config(), "--complaints", complaints]


def run_args(ws, out: pathlib.Path, period_end: str = "2025-06-30") -> list:
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    return ["run", "--config", ws.config(), "--complaints", good, "--entity", "123456", "--period-end", period_end,
            "--out", out]  # fmt: skip


# --------------------------------------------------------------------------- environment: exit 4, one line


def test_an_input_that_is_a_folder_is_an_environment_error(ws) -> None:
    folder = ws.root / "complaints.csv"
    folder.mkdir()
    assert error_line(4, *validate_args(ws, folder)) == (
        f"error: cannot read {folder}: it is a folder, where the complaints file is needed; give a file"
    )
    config = ws.root / "config-folder"
    config.mkdir()
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    assert error_line(4, "validate", "--config", config, "--complaints", good) == (
        f"error: cannot read the configuration file {config}: it is a folder, where a file is needed; give the path "
        "of a file"
    )


def test_a_missing_input_stays_a_usage_error(ws) -> None:
    missing = ws.root / "nowhere.csv"
    assert error_line(2, *validate_args(ws, missing)) == f"error: complaints file not found: {missing}"


def test_an_input_that_cannot_be_read_is_exit_4_naming_it(ws, monkeypatch) -> None:
    path = write(ws, "complaints.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    real = pathlib.Path.read_bytes

    def denied(self: pathlib.Path) -> bytes:
        if self.name == "complaints.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    assert error_line(4, *validate_args(ws, path)) == (
        f"error: cannot read {path}: permission denied; check its permissions, or choose another path"
    )
    with pytest.raises(EnvironmentProblem) as caught:
        read_complaints(path)
    assert caught.value.exit_code == 4


def test_out_that_is_a_file_is_exit_4_for_run_and_validate(ws) -> None:
    blocker = write(ws, "outputs", "I am a file")
    assert error_line(4, *run_args(ws, blocker)) == (
        f"error: --out {blocker} is a file, where a folder is needed; give a folder (or a new name)"
    )
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    assert error_line(4, *validate_args(ws, good), "--out", blocker).startswith(f"error: --out {blocker} is a file")
    below = blocker / "sub"  # a file in the way further up: the OSError of mkdir, translated
    line = error_line(4, *run_args(ws, below))
    assert line.startswith(f"error: cannot write {below}/123456") and line.endswith(
        ": a file is in the way where a folder is needed; move the file or choose another path"
    )


def test_a_read_only_output_folder_is_exit_4_naming_the_path(ws, monkeypatch) -> None:
    out = ws.root / "out"
    real = pathlib.Path.mkdir

    def read_only(self: pathlib.Path, *args, **kwargs) -> None:
        if out in self.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", read_only)
    line = error_line(4, *run_args(ws, out))
    # the entity's folder, made first for the period's lock
    assert line == f"error: cannot write {out}/123456: permission denied; check its permissions, or choose another path"


def test_a_full_disk_while_writing_is_exit_4_and_leaves_no_staging(ws, monkeypatch) -> None:
    out = ws.root / "out"

    def full(*args, **kwargs) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # no file name, as a write() gives

    monkeypatch.setattr("reportkit.runner.write_returns", full)
    assert error_line(4, *run_args(ws, out)) == (
        f"error: cannot write {out}: no space left on the disk; free some space or choose another folder"
    )
    assert [p.name for p in (out / "123456").iterdir()] == [".2025-06-30.lock"]  # the staging folder was removed


def test_init_config_into_a_file_is_exit_4(ws) -> None:
    blocker = write(ws, "taken", "a file")
    target = blocker / "config.yaml"
    assert error_line(4, "init-config", "--frn", "123456", "--name", "X", "--out", target) == (
        f"error: cannot write {target}: a file is in the way where a folder is needed; move the file or choose "
        "another path"
    )


# --------------------------------------------------------------------------- formats named, values cut


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (f"{HEADER}\n".encode("utf-16"), "is UTF-16 text: save it as CSV UTF-8"),
        (f"{HEADER}\n".encode("utf-16-le"), "is UTF-16 text: save it as CSV UTF-8"),
        (
            gzip.compress(f"{HEADER}\n".encode(), mtime=0),  # a fixed mtime: every test worker collects one id
            "is gzip-compressed: decompress it (gunzip) and give the file inside",
        ),
        (b"PAR1\x15\x04\x15", "is a Parquet file: name it .parquet"),
        (b"%PDF-1.7\n", "is a PDF document: save it as CSV UTF-8"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "holds binary content (NUL bytes), not text: save it as CSV UTF-8"),
    ],
)
def test_a_file_that_is_not_csv_text_is_named_for_what_it_is(ws, content: bytes, says: str) -> None:
    path = write(ws, "complaints.csv", content)
    line = error_line(2, *validate_args(ws, path))
    assert line.startswith(f"error: {path}: {says}")
    assert line.isprintable() and len(line) < 300


def test_an_excel_workbook_named_csv(ws) -> None:
    buffer = io.BytesIO()
    pd.DataFrame([complaint("C1", "2025-02-03")]).to_excel(buffer, index=False)
    path = write(ws, "complaints.csv", buffer.getvalue())
    assert error_line(2, *validate_args(ws, path)) == (
        f"error: {path}: is an Excel workbook or another zip archive, not csv content: save it as CSV UTF-8 (in "
        "Excel: Save As, 'CSV UTF-8 (Comma delimited)')"
    )


def test_csv_text_named_parquet_or_xlsx(ws) -> None:
    for name, kind in (("complaints.parquet", "a Parquet file"), ("context.xlsx", "an .xlsx workbook")):
        path = write(ws, name, f"{HEADER}\n{ROW.format(n=1)}\n")
        with pytest.raises(InputError, match=f"^{path}: is not {kind} \\(it looks like text\\)"):
            read_complaints(path)


def test_windows_1252_names_the_line_of_the_first_bad_byte(ws) -> None:
    text = f"{HEADER}\n{ROW.format(n=1)}\n{ROW.format(n=2).replace('delays_timescales', 'Café')}\n"
    path = write(ws, "complaints.csv", text.encode("cp1252"))
    assert error_line(2, *validate_args(ws, path)) == (
        f"error: {path}: not UTF-8 text (line 3 has byte 0xe9, as Windows-1252 or Latin-1 write accented letters "
        "and £); save the extract as CSV UTF-8"
    )


def test_a_field_over_the_parser_block_is_read_and_named_by_line_with_its_value_cut(ws) -> None:
    huge = "x" * 3_000_000  # three of pyarrow's 1 MB blocks
    path = write(ws, "complaints.csv", f"{HEADER}\n{ROW.format(n=1)}\n{ROW.format(n=2)[:-17]}{huge}\n")
    found = api.validate(api.InputPaths.of(ws.config(), path)).errors
    assert list(found["rule"]) == ["cause_code"] and list(found["line"]) == [3]
    assert found.iloc[0]["value"] == "x" * 60 + "... (3000000 characters)"
    quoted = write(ws, "quoted.csv", f'{HEADER}\n{ROW.format(n=1)}\n{ROW.format(n=2)[:-17]}"{huge}\n{huge}"\n')
    found = api.validate(api.InputPaths.of(ws.config(), quoted)).errors
    assert list(found["line"]) == [3] and found.iloc[0]["value"].endswith("... (6000001 characters)")


def test_an_unclosed_quote_is_named_by_its_line(ws) -> None:
    rows = [ROW.format(n=1), ROW.format(n=2).replace(",delays", ',"delays'), ROW.format(n=3), ROW.format(n=4)]
    path = write(ws, "complaints.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    assert error_line(2, *validate_args(ws, path)) == (
        f'error: {path}: line 3: a `"` opens a quoted value that is never closed, so every line after it is read as '
        'part of one value; close the quote (a `"` inside a quoted value is written `""`)'
    )


# --------------------------------------------------------------------------- personal data never echoed


def test_a_ragged_row_names_line_and_field_counts_never_its_content(ws) -> None:
    header = HEADER + ",adviser_ni_number,adviser_date_of_birth"
    rows = [ROW.format(n=1) + ",,", ROW.format(n=2) + ",QQ123456C,1970-01-01,extra", ROW.format(n=3) + ",,"]
    path = write(ws, "complaints.csv", header + "\n" + "\n".join(rows) + "\n")
    exit_code, lines, stdout = invoke(*validate_args(ws, path))
    assert exit_code == 2
    assert lines == [
        f"error: {path}: line 3 has 10 fields where the header has 9; fix that row (a separator or quote too many "
        "or too few)"
    ]
    for secret in ("QQ123456C", "1970-01-01", "C2", "extra"):
        assert secret not in "\n".join(lines) + stdout


def test_several_ragged_rows_are_counted(ws) -> None:
    rows = [ROW.format(n=1), ROW.format(n=2) + ",x", "", ROW.format(n=3)[:-18], ROW.format(n=4)]
    path = write(ws, "complaints.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as caught:
        read_complaints(path)
    assert str(caught.value) == (
        f"{path}: line 3 has 8 fields where the header has 7 (2 rows have the wrong number of fields); fix that "
        "row (a separator or quote too many or too few)"
    )


def test_a_file_without_a_header_row_is_refused_without_echoing_its_first_row(ws) -> None:
    row = ROW.format(n=1) + ",QQ123456C,1970-01-01,1970-01-01"  # the two empty values are no column
    path = write(ws, "complaints.csv", f"{row}\n{row}\n")
    line = error_line(2, *validate_args(ws, path))
    assert line == (
        f"error: {path}: the first line is not a header: none of its 8 values is a column name of the complaints "
        "file; add the header row (docs/inputs.md lists the columns)"
    )


# --------------------------------------------------------------------------- line numbers


def test_lines_after_quoted_line_breaks_blank_lines_and_crlf(ws) -> None:
    rows = [
        'Q1,123456,2025-02-03,,,current_accounts,"two\nlines"',  # lines 2-3
        "",  # line 4: blank, skipped by the parser
        ROW.format(n=2).replace("2025-02-03", "2025-02-0x"),  # line 5
        'Q3,123456,2025-02-03,,,current_accounts,"say ""hi""\n\nthree"',  # lines 6-8
        ROW.format(n=4).replace("2025-02-03", "bad"),  # line 9
    ]
    for newline in ("\n", "\r\n"):
        path = write(ws, "complaints.csv", newline.join([HEADER, *rows]) + newline)
        frame = read_complaints(path)
        assert list(frame["complaint_id"]) == ["Q1", "C2", "Q3", "C4"]
        assert list(frame["_line"]) == [2, 5, 6, 9]
        found = api.validate(api.InputPaths.of(ws.config(), path)).errors
        assert sorted(zip(found["line"], found["rule"], strict=True)) == [
            (2, "cause_code"),
            (5, "date_format"),
            (6, "cause_code"),
            (9, "date_format"),
        ]


def test_an_inch_sign_inside_an_unquoted_value_does_not_shift_lines(ws) -> None:
    rows = ['C1,123456,2025-02-03,,,current_accounts,15" screen', "", ROW.format(n=2)]
    path = write(ws, "complaints.csv", "\n".join([HEADER, *rows]) + "\n")
    frame = read_complaints(path)
    assert list(frame["cause"]) == ['15" screen', "delays_timescales"] and list(frame["_line"]) == [2, 4]


FIELD = st.text(alphabet=st.sampled_from(["a", "b", ",", '"', "\n", " ", "é"]), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(FIELD, min_size=2, max_size=2), st.integers(0, 2)), min_size=1, max_size=12))
def test_record_start_lines_match_the_file_as_written(records: list[tuple[list[str], int]]) -> None:
    """Each record starts on the line that the text before it ends on, whatever quotes, separators, line breaks
    and blank lines (skipped by the parser) come before it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b"])
    expected = []
    for fields, blanks in records:
        buffer.write("\n" * blanks)  # blank lines: counted as lines, skipped as records
        expected.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(fields)
    data = buffer.getvalue().encode("utf-8")
    found = csv_records(data, with_fields=True)
    assert list(found.lines[1:]) == expected
    assert set(found.fields) == {2}
    assert not found.unclosed


def test_parquet_and_workbook_findings_say_row(ws) -> None:
    rows = [complaint("C1", "2025-02-03"), complaint("C2", "2025-02-0x")]
    parquet = ws.root / "complaints.parquet"
    pd.DataFrame(rows).to_parquet(parquet)
    report = api.validate(api.InputPaths.of(ws.config(), parquet))
    assert list(report.errors["line"]) == [2]  # the second row: rows count from 1
    assert "complaints.parquet row 2: complaint C2, column received_date" in report.summary()
    context = ws.root / "context.xlsx"
    pd.DataFrame([{"firm_frn": "123456", "period_end": "2025-06-3x", "measure": "provision",
                   "key": "current_accounts", "value": 5}]).to_excel(context, index=False)  # fmt: skip
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    report = api.validate(api.InputPaths.of(ws.config(), good, context=context))
    assert "context.xlsx row 2: row, column period_end, value '2025-06-3x'" in report.summary()


# --------------------------------------------------------------------------- nothing silently dropped


def test_empty_unnamed_workbook_columns_are_dropped_with_one_warning(ws) -> None:
    context = ws.root / "context.xlsx"
    figure = {"firm_frn": "123456", "period_end": "2025-06-30", "measure": "provision", "key": "current_accounts"}
    pd.DataFrame([{**figure, "value": 5, "": None, " ": None}]).to_excel(context, index=False)
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    warnings = api.validate(api.InputPaths.of(ws.config(), good, context=context)).warnings
    dropped = warnings[warnings["file"] == "context.xlsx"]
    assert list(dropped["rule"]) == ["empty_columns_ignored"]
    assert list(dropped["value"]) == ["Unnamed: 5,  "]
    assert list(dropped["message"]) == ["2 column(s) with neither a header nor a value are ignored"]


def test_a_csv_whose_rows_end_in_a_separator(ws) -> None:
    path = write(ws, "complaints.csv", f"{HEADER},,\n{ROW.format(n=1)},,\n")
    frame = read_complaints(path)
    assert list(frame["complaint_id"]) == ["C1"] and "" not in frame.columns


@pytest.mark.parametrize("end", ["\n", "\r\n", ""])  # a spreadsheet may save a lone header with no line end
def test_a_header_only_extract_warns_then_gives_a_nil_return(ws, end) -> None:
    path = write(ws, "complaints.csv", HEADER + end)
    report = api.validate(api.InputPaths.of(ws.config(), path))
    assert report.ok
    assert list(report.warnings["rule"]) == ["no_rows"]
    assert report.warnings.iloc[0]["message"] == (
        "the file has a header but no rows: it contributes nothing (a complaints extract with no rows gives nil "
        "returns); check the export if the period had complaints"
    )
    said: list[str] = []
    outcome = run(api.InputPaths.of(ws.config(), path), "123456", H1_2025_END, ws.root / "out", said.append, False)
    assert "complaints.csv: a header but no rows: it contributes nothing" in said
    assert outcome.produced == ["annex1"] and outcome.warnings == 1
    document = json.loads((outcome.folder / "returns" / "annex1.json").read_text(encoding="utf-8"))
    assert document["nil_return"] is True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "error: --period-end '2025-02-30' is not a real date (February 2025 has 28 days); give a date "
                       "that exists"),
        ("2024-02-30", "error: --period-end '2024-02-30' is not a real date (February 2024 has 29 days); give a date "
                       "that exists"),
        ("2025-13-01", "error: --period-end '2025-13-01' is not a real date (there is no month 13); give a date that "
                       "exists"),
        ("2025-6-30", "error: --period-end '2025-6-30' is not a date in the form YYYY-MM-DD"),
        ("2099-12-31", "error: period end 2099-12-31 is outside the dates reportkit supports (2000-01-01 to "
                       "2060-12-31, the years its bank-holiday calendar covers); give a date in that range"),
    ],
)  # fmt: skip
def test_period_end_not_real_or_out_of_range(ws, value: str, message: str) -> None:
    assert error_line(2, *run_args(ws, ws.root / "out", value)) == message


def test_calendar_from_that_is_not_a_real_date(ws) -> None:
    assert error_line(2, "calendar", "--config", ws.config(), "--entity", "123456", "--from", "2025-04-31") == (
        "error: --from '2025-04-31' is not a real date (April 2025 has 30 days); give a date that exists"
    )


def test_calendar_to_before_from_is_one_line(ws) -> None:
    args = ["calendar", "--config", ws.config(), "--entity", "123456", "--from", "2025-06-30", "--to", "2025-01-31"]
    assert error_line(2, *args) == "error: --to 2025-01-31 is before --from 2025-06-30; give --from first"


def test_a_notebook_parameter_that_is_not_a_real_date() -> None:
    with pytest.raises(InputError, match=r"^period_end '2025-02-29' is not a real date \(February 2025 has 28 days\)"):
        api.parse_date("2025-02-29", "period_end")
    assert api.parse_date("2024-02-29", "period_end").isoformat() == "2024-02-29"


# --------------------------------------------------------------------------- configuration: alias bombs


@pytest.mark.parametrize("key", ["name", "trading_names"])
def test_an_alias_bomb_in_a_name_is_refused_quickly(ws, key: str) -> None:
    levels = ["&a0 [" + ", ".join(["x"] * 10) + "]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]  # 10**9 values unfolded
    text = yaml.safe_dump({"firms": [{**FIRM, key: "PLACEHOLDER"}]}).replace("PLACEHOLDER", f"[{', '.join(levels)}]")
    path = write(ws, "config.yaml", text)
    good = write(ws, "good.csv", f"{HEADER}\n{ROW.format(n=1)}\n")
    started = time.perf_counter()
    line = error_line(2, "validate", "--config", path, "--complaints", good)
    assert time.perf_counter() - started < 5
    assert line.startswith(f"error: configuration {path}, line ")
    assert line.endswith(
        "the configuration has more than 100,000 values, which no configuration needs (YAML aliases that repeat "
        "each other?); write the values out"
    )


def test_a_parquet_column_twice_or_a_damaged_parquet_file_is_one_clear_line(ws) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    twice = ws.root / "complaints.parquet"
    columns = [pa.array(["C1"]), pa.array(["upheld"]), pa.array(["not_upheld"])]
    pq.write_table(pa.table(columns, names=["complaint_id", "outcome", "outcome"]), twice)
    with pytest.raises(InputError, match=r"column `outcome` appears more than once in the file; keep one copy"):
        read_complaints(twice)
    cut = ws.root / "cut.parquet"
    cut.write_bytes(twice.read_bytes()[:200] + b"PAR1")
    with pytest.raises(InputError) as caught:
        read_complaints(cut)
    message = str(caught.value)
    assert message.startswith(f"{cut}: cannot be read as parquet (damaged, cut short, or another kind of file")
    assert message.endswith("...") or not message.split(": ")[-1].endswith(("Parque", "magi"))


# --------------------------------------------------------------------------- formulas with no saved value


def _formula_workbook(path: pathlib.Path, closed: str, other_sheet_first: bool = False) -> pathlib.Path:
    """A complaints workbook written by openpyxl, which saves a formula without its value (it calculates
    nothing); C2's closed_date is `closed`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    if other_sheet_first:
        sheet.title = "Notes"
        sheet.append(["note", "=1+1"])  # a formula on a sheet the run does not read
        sheet = book.create_sheet("Complaints")
    sheet.append(["complaint_id", "firm_frn", "received_date", "closed_date", "outcome", "product", "cause"])
    sheet.append(["C1", "123456", "2025-02-03", "2025-02-10", "upheld", "current_accounts", "delays_timescales"])
    sheet.append(["C2", "123456", "2025-02-03", closed, "upheld", "current_accounts", "delays_timescales"])
    book.save(path)
    return path


def test_a_formula_cell_with_no_saved_value_is_refused_naming_the_cell_and_column(ws) -> None:
    # Read as empty, C2 would silently be a complaint still open: refused instead, before any figure.
    path = _formula_workbook(ws.root / "complaints.xlsx", '=TEXT(DATE(2025,2,11),"yyyy-mm-dd")')
    line = error_line(2, *validate_args(ws, path))
    assert line == (
        f"error: {path}: 1 formula cell(s) hold no saved value (D3 (column `closed_date`)): the workbook was saved "
        "by a program that does not calculate formulas, and these cells would read as empty; open and save it in "
        "Excel or LibreOffice, or export values rather than formulas, then run again"
    )
    with pytest.raises(InputError, match="formula cell"):
        read_complaints(path)


def test_a_formula_on_a_sheet_not_read_and_plain_values_read_as_before(ws) -> None:
    path = _formula_workbook(ws.root / "complaints.xlsx", "2025-02-11", other_sheet_first=True)
    frame = read_complaints(path, sheet="Complaints")
    assert list(frame["closed_date"]) == ["2025-02-10", "2025-02-11"]
    with pytest.raises(InputError, match=r"1 formula cell\(s\) hold no saved value \(B1\)"):
        read_complaints(path)  # the first sheet, Notes, is the one read by default


def test_formulas_with_their_saved_values_are_read_as_those_values(ws) -> None:
    import xlsxwriter

    path = ws.root / "complaints.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["complaint_id", "firm_frn", "received_date", "closed_date", "outcome", "product", "cause"])
    sheet.write_row(1, 0, ["C1", "123456", "2025-02-03"])
    sheet.write_formula(1, 3, '=TEXT(DATE(2025,2,10),"yyyy-mm-dd")', None, "2025-02-10")  # saved text value
    sheet.write_formula(1, 4, '=IF(TRUE,"upheld","x")', None, "upheld")
    sheet.write_row(1, 5, ["current_accounts", "delays_timescales"])
    book.close()
    frame = read_complaints(path)
    assert list(frame["closed_date"]) == ["2025-02-10"] and list(frame["outcome"]) == ["upheld"]


def _zipped_sheet(cells: str, prefix: str = "") -> bytes:
    """A workbook's three parts that say where its first sheet is, and that sheet holding `cells`."""
    import zipfile

    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns:{prefix}="main"' if prefix else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(
            "xl/workbook.xml", '<workbook><sheets><sheet name=\'R&amp;D\' sheetId="1" r:id="rId7"/></sheets></workbook>'
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId7" Target="worksheets/data.xml" Type="worksheet"/></Relationships>',
        )
        book.writestr("xl/worksheets/data.xml", f"<{p}worksheet{ns}><{p}sheetData><{p}row>{cells}</{p}row>"
                      f"</{p}sheetData></{p}worksheet>")  # fmt: skip
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("cells", "prefix", "expected"),
    [
        ('<c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>""</f><v></v></c>', "", (0, [])),  # values saved
        ('<c r="B1" t="str"><f>""</f><v/></c><c r="C1" t="str"><f>A1</f></c>', "", (1, ["C1"])),  # text: C1 unsaved
        ('<c r="D3"><f>TEXT(1)</f><v></v></c><c r="E3" s="2"><f>E2</f><v />\n</c>', "", (2, ["D3", "E3"])),  # lxml, ET
        (
            '<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f></c><c r="A2"><f t="shared" si="0"/><v/></c>',
            "",
            (2, ["A1", "A2"]),
        ),  # a shared formula's leader and follower, neither with a value
        ('<x:c r="C9" s="1"><x:f>NOW()</x:f></x:c><x:c r="D9"><x:v>4</x:v></x:c>', "x", (1, ["C9"])),
        ('<c r="A1" t="s"><v>0</v></c><c r="B1"><v>3</v></c>', "", (0, [])),  # no formula at all
    ],
)
def test_formula_cells_without_a_saved_value_are_found_in_the_sheet_xml(cells, prefix, expected) -> None:
    from reportkit.xlsx_formulas import uncalculated_formulas

    found = uncalculated_formulas(_zipped_sheet(cells, prefix), None)
    assert (found.count, found.first) == expected
    assert uncalculated_formulas(_zipped_sheet(cells, prefix), "R&D") == found  # the name as written, unescaped
    assert uncalculated_formulas(_zipped_sheet(cells, prefix), "Other").count == 0  # no such sheet: the reader says so
