"""The workbook an analyst keys from, read back with openpyxl from real runs: number formats, percentages as
fractions, empty blanks, frozen panes, one page wide, sized columns, the form's own numbers, the Run sheet and
the run id, and the same bytes on a re-run."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import re
import socket
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import runinfo
from reportkit.layouts import document_layout
from reportkit.runner import run
from reportkit.workbook import RUN_SHEET, TABLE_MARKER, write_workbook
from tests.conftest import FIRM, H1_2025_END, Workspace, complaint

YEAR_END = dt.date(2025, 12, 31)
EXPECTED_FORMATS = {"count": "#,##0", "money": "£#,##0", "percent": "0.00%", "per_1000": "#,##0.00", "k": "#,##0.000"}


def sample_paths():
    from scripts.generate_golden import sample_paths

    return sample_paths()


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory) -> dict[str, Path]:
    """The sample group's run twice (two output folders); the sample claims management firm's and the sample
    investment firm's (Annex 1C) runs once."""
    folders = {}
    runs = (("group", "sample-group"), ("again", "sample-group"), ("cmc", "200001"), ("advisers", "300001"))
    for name, entity in runs:
        out = tmp_path_factory.mktemp(f"out-{name}")
        folders[name] = run(sample_paths(), entity, YEAR_END, out, quiet, notebooks=False).folder
    return folders


def workbook_of(folder: Path) -> Path:
    return next((folder / "returns").glob("*.xlsx"))


def documents_of(folder: Path) -> dict[str, dict]:
    """Sheet name -> return document, matched by reporting firm, return and period as the sheet states them."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (folder / "returns").glob("*.json")}


def column_kind(column) -> str:
    """The kind of a layout column, worked out here independently of reportkit.workbook."""
    if column.money:
        return "money"
    if column.percent_of or column.percent:
        return "percent"
    if column.per_1000_of:
        return "per_1000"
    if column.divide_by:
        return "k"
    return "count"


def shown(value: float, number_format: str) -> str:
    """What Excel displays for a number in one of the workbook's formats."""
    return {
        "#,##0": f"{value:,.0f}",
        "£#,##0": f"£{value:,.0f}",
        "0.00%": f"{value * 100:.2f}%",
        "#,##0.00": f"{value:,.2f}",
        "#,##0.000": f"{value:,.3f}",
        "0": f"{value:.0f}",
    }[number_format]


def width(sheet, col: int) -> float:
    """A column's width; openpyxl groups equal neighbouring columns into one dimension (min..max)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min is not None and dimension.min <= col <= dimension.max and dimension.width:
            return dimension.width
    return 8.43  # Excel's default


def tables_with_cells(sheet) -> dict[str, dict[str, dict[str, object]]]:
    """{table: {row code: {column code: openpyxl cell}}}, from the code row under each table's headings."""
    rows = list(sheet.iter_rows())
    tables: dict[str, dict[str, dict]] = {}
    for i, row in enumerate(rows):
        marker = row[1].value
        if isinstance(marker, str) and marker.startswith(TABLE_MARKER) and row[2].value == "code":
            codes = [(c.column, c.value) for c in row[3:] if c.value is not None]
            table: dict[str, dict] = {}
            for data in rows[i + 1 :]:
                if len(data) < 3 or data[2].value is None:
                    break
                table[data[2].value] = {code: sheet.cell(row=data[0].row, column=col) for col, code in codes}
            tables[marker[len(TABLE_MARKER) :]] = table
    return tables


def return_sheets(book) -> list:
    return [sheet for sheet in book.worksheets if sheet.title != RUN_SHEET]


def sheet_document(sheet, documents: dict[str, dict]) -> dict:
    """The document a sheet shows: same reporting firm, return title and table codes."""
    firm = next(row[2] for row in sheet.iter_rows(max_row=6, values_only=True) if row[1] == "FRN")
    tables = tables_with_cells(sheet)
    for document in documents.values():
        if (
            document["reporting_firm"] == firm
            and document_layout(document).title == sheet["A1"].value
            and {k: set(v) for k, v in document["tables"].items()} == {k: set(v) for k, v in tables.items()}
            and (document["nil_return"] == ("nil" in sheet.title))
        ):
            return document
    raise AssertionError(f"no document for sheet {sheet.title}")


# ----------------------------------------------------------------------------- numbers and formats


def test_every_figure_is_a_number_with_its_format_and_blank_is_empty(sample_runs) -> None:
    for name in ("group", "cmc", "advisers"):
        book = openpyxl.load_workbook(workbook_of(sample_runs[name]))
        documents = documents_of(sample_runs[name])
        for sheet in return_sheets(book):
            document = sheet_document(sheet, documents)
            layout = document_layout(document)
            for key, table in tables_with_cells(sheet).items():
                spec = layout.tables[key]
                for row_code, cells in table.items():
                    for column in spec.columns:
                        cell, value = cells[column.code], document["tables"][key][row_code][column.code]
                        where = f"{sheet.title} table {key} {row_code}/{column.code}"
                        if value is None:
                            assert cell.value is None and cell.data_type == "n", where  # an empty cell, not 0 or ""
                        elif isinstance(value, str):
                            assert cell.value == value and cell.data_type == "s", where
                        else:
                            kind = "money" if row_code in spec.money_rows else column_kind(column)
                            assert cell.data_type == "n", where
                            assert cell.number_format == EXPECTED_FORMATS[kind], where
                            expected = value / 100 if kind == "percent" else value
                            assert cell.value == pytest.approx(expected, abs=1e-12), where


def test_pinned_cells_of_the_sample(sample_runs) -> None:
    book = openpyxl.load_workbook(workbook_of(sample_runs["group"]))
    summary = json.loads((sample_runs["group"] / "returns" / "annex1b.json").read_text(encoding="utf-8"))
    assert summary["tables"]["1B"]["banking_credit_cards"]["pct_closed_within_3_days"] == 47.37  # the JSON keeps 0-100

    cells = tables_with_cells(book["Annex 1B"])
    pct = cells["1B"]["banking_credit_cards"]["pct_closed_within_3_days"]
    assert (pct.value, pct.number_format) == (0.4737, "0.00%")
    per_1000 = cells["1B"]["banking_credit_cards"]["provision_per_1000"]
    assert (per_1000.value, per_1000.number_format) == (2.7, "#,##0.00")
    credit = cells["credit"]["credit_related"]["pct_upheld"]
    assert (credit.value, credit.number_format) == (0.6786, "0.00%")

    volume = tables_with_cells(book["Annex 1AD 100001"])["3"]["atm_withdrawal"]["volume"]
    assert (volume.value, volume.number_format) == (7610.226, "#,##0.000")  # thousands, decimals kept

    annex1 = book["Annex 1"]
    redress = tables_with_cells(annex1)["5"]["credit_cards"]["redress_upheld"]
    assert redress.number_format == "£#,##0" and isinstance(redress.value, int)

    header = {row[2].value: row[3] for row in annex1.iter_rows() if len(row) > 3 and row[2].value}
    assert (header["opened"].value, header["opened"].number_format) == (1733, "#,##0")  # a number, not "1733"
    assert (header["outstanding_at_start"].value, header["outstanding_at_start"].data_type) == (210, "n")
    assert header["group_reporting"].value == "Yes"
    nil = {row[2].value: row[3] for row in book["Annex 1 nil 100002"].iter_rows() if len(row) > 3 and row[2].value}
    assert nil["additional_frns"].value is None  # no additional FRNs: an empty cell, not ""
    assert nil["opened"].value is None  # a nil return leaves its figures blank


def test_annex_1ab_has_the_forms_question_and_row_numbers(sample_runs) -> None:
    sheet = openpyxl.load_workbook(workbook_of(sample_runs["cmc"]))["Annex 1AB"]
    numbers = {row[2]: row[0] for row in sheet.iter_rows(values_only=True) if len(row) > 2 and row[0] is not None}
    numbers.pop(None, None)
    assert numbers == {
        "group_reporting": 1,
        "additional_frns": 2,
        "nil_return": 3,
        "outstanding_at_start": 4,
        "opened": 5,
        "publication_consent": 6,
        "publication_confirmed": 7,
        "leads": 8,
        "claims_opened": 9,
        "total": 10,
        "lead_generation_marketing": 11,
        "advice_misleading_information": 12,
        "customer_service": 13,
        "general_administration": 14,
        "upfront_fees": 15,
        "fee_dispute_at_settlement": 16,
        "fees_above_fee_cap": 17,
        "claim_outcome": 18,
        "customer_data": 19,
        "delay_processing_claim": 20,
        "other": 21,
        "closed_within_3_days": 22,
        "closed_3_days_to_8_weeks": 23,
        "closed_after_8_weeks": 24,
        "closed_total": 25,
        "upheld": 26,
        "redress_upheld": 27,
        "redress_not_upheld": 28,
        "redress_fee_cap_firm_initiated": 29,
        "redress_total": 30,
    }
    table2 = tables_with_cells(sheet)["2"]
    assert table2["redress_total"]["value"].number_format == "£#,##0"  # the row, not the column, says pounds
    assert table2["closed_total"]["value"].number_format == "#,##0"
    leads = next(row for row in sheet.iter_rows() if row[2].value == "leads")
    assert (leads[3].value, leads[3].number_format) == (22400, "#,##0")


# ----------------------------------------------------------------------------- layout and print


def test_frozen_panes_and_one_page_wide(sample_runs) -> None:
    book = openpyxl.load_workbook(workbook_of(sample_runs["group"]))
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), sheet.title  # one page wide, any pages tall
        assert setup.paperSize == 9, sheet.title  # A4
        assert sheet.print_title_rows == "$1:$2", sheet.title  # title and run id on every printed page
    for sheet in return_sheets(book):
        assert sheet.freeze_panes == "D3", sheet.title  # title and run id rows; number, label and code columns
    assert book[RUN_SHEET].freeze_panes == "A3"
    assert book["Annex 1"].page_setup.orientation == "landscape"  # 11 cause columns
    assert book["Annex 1AD 100001"].page_setup.orientation == "landscape"
    assert book[RUN_SHEET].page_setup.orientation == "portrait"


def test_every_column_is_as_wide_as_its_content(sample_runs) -> None:
    for name in ("group", "cmc", "advisers"):
        book = openpyxl.load_workbook(workbook_of(sample_runs[name]))
        for sheet in return_sheets(book):
            headings = [
                row[1].row - 1
                for row in sheet.iter_rows()
                if isinstance(row[1].value, str) and row[1].value.startswith(TABLE_MARKER) and row[2].value == "code"
            ]
            for row in sheet.iter_rows(min_row=3):
                for cell in row:
                    where = f"{sheet.title}!{cell.coordinate}"
                    if isinstance(cell.value, (int, float)):
                        assert width(sheet, cell.column) >= len(shown(cell.value, cell.number_format)), where
                    elif isinstance(cell.value, str) and cell.alignment.wrap_text:
                        # wraps at spaces only: the longest word fits, so no heading breaks mid-word
                        longest = max(len(word) for word in cell.value.split())
                        assert width(sheet, cell.column) >= longest, where
            for row_number in headings:  # the headings above each code row wrap at spaces
                for cell in sheet[row_number][3:]:
                    if cell.value is not None:
                        assert cell.alignment.wrap_text, f"{sheet.title}!{cell.coordinate}"
            for row in sheet.iter_rows(min_row=3):  # row codes are never cut off
                code = row[2].value if len(row) > 2 else None
                if isinstance(code, str) and re.fullmatch(r"[a-z0-9_]+", code):
                    assert width(sheet, 3) >= len(code), f"{sheet.title} {code}"
            assert all(width(sheet, col) <= 60 for col in range(1, sheet.max_column + 1)), sheet.title


# ----------------------------------------------------------------------------- the Run sheet and the run id


def run_sheet(book) -> tuple[dict[str, object], dict[str, tuple[str, int | None, str]], list[tuple]]:
    """(facts, {input role: (file name, rows, sha256)}, firm rows) from the Run sheet."""
    rows = list(book[RUN_SHEET].iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in rows if row[0] and row[1] is not None}
    start = next(i for i, row in enumerate(rows) if row[0] == "Input")
    inputs = {row[0]: (row[1], row[2], row[3]) for row in rows[start + 1 :] if row[0]}
    first_firm = next(i for i, row in enumerate(rows) if row[0] == "FRN")
    firms = [row[:3] for row in rows[first_firm + 1 : start] if row[0] and row[0] != "Inputs"]
    return facts, inputs, firms


def test_run_sheet_matches_the_manifest(sample_runs) -> None:
    folder = sample_runs["group"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(workbook_of(folder))
    facts, inputs, firms = run_sheet(book)

    assert re.fullmatch(r"[0-9a-f]{12}", manifest["run_id"])
    assert facts["Run id"] == manifest["run_id"]
    for sheet in return_sheets(book):  # a run id line on every sheet
        assert (sheet["B2"].value, sheet["C2"].value) == ("Run id", manifest["run_id"]), sheet.title
        assert f"Run id {manifest['run_id']}" in sheet.oddFooter.left.text
    assert {role: (name, sha) for role, (name, _, sha) in inputs.items()} == {
        role: (Path(item["path"]).name, item["sha256"]) for role, item in manifest["inputs"].items()
    }
    paths = sample_paths()
    assert inputs["complaints"][1] == len(pd.read_csv(paths.complaints, dtype=str)) == 7650
    assert inputs["redress"][1] == len(pd.read_csv(paths.redress, dtype=str))
    assert inputs["config"][1] is None
    assert facts["reportkit version"] == manifest["reportkit"]
    assert facts["Entity"] == "Sample Banking Group (sample-group)"
    assert facts["Period(s)"] == "2025-07-01 to 2025-12-31; 2025-01-01 to 2025-12-31"  # half-year and annual returns
    assert facts["Regime"] == "current"
    assert facts["Bank-holiday calendar(s)"] == "ENG (England and Wales), SCT (Scotland), NIR (Northern Ireland)"
    assert firms == [
        ("100001", "Sample Bank plc", "ENG (England and Wales)"),
        ("100002", "Sample Cards and Payments Ltd", "SCT (Scotland)"),
        ("100003", "Sample Insurance Ltd", "NIR (Northern Ireland)"),
    ]
    commit = facts["Source commit"]
    assert re.fullmatch(r"[0-9a-f]{40}", commit) or commit == "none (not run from a checkout)"


def test_no_path_user_host_or_time_in_the_workbook(sample_runs) -> None:
    folder = sample_runs["group"]
    book = openpyxl.load_workbook(workbook_of(folder))
    texts = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    strings = [t for t in texts if isinstance(t, str)]
    out = str(folder.parent.parent)
    assert not [s for s in strings if out in s or str(Path.cwd()) in s or "/" + "tmp" in s]
    assert getpass.getuser() not in strings
    assert not [s for s in strings if socket.gethostname() in s]
    assert not [s for s in strings if re.search(r"\d{2}:\d{2}:\d{2}", s)]  # no time of day anywhere
    assert book.properties.created == dt.datetime(2025, 12, 31, 0, 0)  # pinned to the period end


def test_a_rerun_into_another_folder_is_byte_identical(sample_runs) -> None:
    first, again = sample_runs["group"], sample_runs["again"]
    assert first.parent.parent != again.parent.parent
    assert workbook_of(first).read_bytes() == workbook_of(again).read_bytes()
    ids = [json.loads((f / "manifest.json").read_text(encoding="utf-8"))["run_id"] for f in (first, again)]
    assert ids[0] == ids[1]


def small_run(ws: Workspace, out: str) -> tuple[str, bytes]:
    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-05", "upheld", redress_amount="12.50") for i in range(3)]
    paths = ws.paths(rows)
    folder = run(paths, "123456", H1_2025_END, ws.root / out, quiet, notebooks=False).folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest["run_id"], workbook_of(folder).read_bytes()


def test_the_run_id_follows_the_input_bytes_not_the_output_folder(ws) -> None:
    run_id, book = small_run(ws, "out-a")
    assert small_run(ws, "out-b") == (run_id, book)

    # One more byte in the extract (a trailing blank line): the same figures, but other input bytes.
    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-05", "upheld", redress_amount="12.50") for i in range(3)]
    paths = ws.paths(rows)
    with open(paths.complaints, "ab") as handle:
        handle.write(b"\n")
    folder = run(paths, "123456", H1_2025_END, ws.root / "out-c", quiet, notebooks=False).folder
    changed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    assert changed != run_id
    facts, inputs, _ = run_sheet(openpyxl.load_workbook(workbook_of(folder)))
    assert facts["Run id"] == changed
    assert inputs["complaints"][2] == hashlib.sha256(paths.complaints.read_bytes()).hexdigest()


def describe(ws: Workspace, **options) -> runinfo.RunInfo:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    return runinfo.describe_run(
        files=paths.files(),
        rows={"complaints": 1},
        entity="123456",
        entity_name="Example Bank plc",
        period_end=H1_2025_END,
        options=options or {"notebooks": False},
        firms=[runinfo.FirmFacts("123456", "Example Bank plc", "ENG")],
        periods=[("2025-01-01", "2025-06-30")],
        regimes=["current"],
    )


def test_run_id_covers_configuration_parameters_and_version(ws, monkeypatch) -> None:
    base = describe(ws)
    assert base.run_id == describe(ws).run_id  # deterministic
    assert describe(ws, notebooks=True).run_id != base.run_id  # a parameter
    assert base.parameters == {
        "entity": "123456",
        "period_end": "2025-06-30",
        "config": "config.yaml",
        "complaints": "complaints.csv",
        "notebooks": False,
    }
    # the configuration is an input: its bytes count
    assert describe_with_config(ws, {**FIRM, "name": "Example Bank Ltd"}).run_id != base.run_id
    monkeypatch.setattr(runinfo, "reportkit_version", lambda: "9.9.9")
    assert describe(ws).run_id != base.run_id  # the version


def describe_with_config(ws: Workspace, firm: dict) -> runinfo.RunInfo:
    paths = ws.paths([complaint("C1", "2025-02-03")], firms=[firm])
    return runinfo.describe_run(
        files=paths.files(),
        rows={"complaints": 1},
        entity="123456",
        entity_name="Example Bank plc",
        period_end=H1_2025_END,
        options={"notebooks": False},
        firms=[],
        periods=[],
        regimes=[],
    )


def test_no_commit_without_git(monkeypatch) -> None:
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(runinfo.subprocess, "run", no_git)
    assert runinfo.source_commit() is None


def test_a_firm_name_like_a_formula_stays_text_on_the_run_sheet(ws, tmp_path) -> None:
    firm = {**FIRM, "name": '=HYPERLINK("http://x","y")'}
    rows = [complaint("C1", "2025-02-03")]
    folder = run(ws.paths(rows, firms=[firm]), "123456", H1_2025_END, tmp_path / "out", quiet, notebooks=False).folder
    sheet = openpyxl.load_workbook(workbook_of(folder))[RUN_SHEET]
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "123456")
    assert cell.value == firm["name"] and cell.data_type == "s"


def test_a_workbook_without_run_facts_has_no_run_sheet_and_fixed_bytes(ws, tmp_path) -> None:
    from reportkit import api

    prepared = api.prepare(ws.paths([complaint("C1", "2025-02-03")]))
    results = api.build_returns(prepared, "123456", H1_2025_END)
    first = write_workbook(tmp_path / "a.xlsx", [("Annex 1", results[0])], prepared.config).read_bytes()
    second = write_workbook(tmp_path / "b.xlsx", [("Annex 1", results[0])], prepared.config).read_bytes()
    assert first == second
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == ["Annex 1"]
    assert book["Annex 1"].freeze_panes == "D2"  # no run id line: only the title row is frozen


hex_digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(
    hashes=st.lists(hex_digests, min_size=1, max_size=4, unique=True),
    period_end=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2030, 12, 31)),
    flip=st.integers(min_value=0, max_value=63),
)
def test_run_id_is_twelve_hex_digits_and_moves_with_any_input_hash(hashes, period_end, flip) -> None:
    roles = ["config", "complaints", "redress", "context"]
    inputs = tuple(
        runinfo.InputFile(role, f"{role}.csv", digest, None)
        for role, digest in zip(roles[: len(hashes)], hashes, strict=True)
    )
    parameters = {"entity": "123456", "period_end": period_end.isoformat()}
    run_id = runinfo.compute_run_id(inputs, parameters, "0.1.0", None)
    assert re.fullmatch(r"[0-9a-f]{12}", run_id)
    assert runinfo.compute_run_id(inputs, dict(reversed(parameters.items())), "0.1.0", None) == run_id  # key order
    first = inputs[0]
    digit = "0" if first.sha256[flip] != "0" else "1"
    changed = runinfo.InputFile(first.role, first.name, first.sha256[:flip] + digit + first.sha256[flip + 1 :], None)
    assert runinfo.compute_run_id((changed, *inputs[1:]), parameters, "0.1.0", None) != run_id
    assert runinfo.compute_run_id(inputs, parameters, "0.1.0", "a" * 40) != run_id  # the commit counts too
