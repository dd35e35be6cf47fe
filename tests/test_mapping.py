"""Mapping files: a case system's export (its headers, labels, Y/N flags, dd/mm/yyyy dates, .xlsx) read as it
comes gives the same returns as the canonical extract; every mistake in the mapping or the export is named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reportkit import api
from reportkit.errors import InputError
from reportkit.extract import column_letter, read_complaints
from reportkit.mapping import SOURCE_PREFIX, load_mapping, parse_mapping
from reportkit.paths import SAMPLE_DIR
from reportkit.runner import run
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END
from reportkit.sample_export import write_export_workbook, write_sample_export
from reportkit.verify import verify
from tests.conftest import complaint
from tests.test_cli import invoke


def documents(prepared: api.Prepared) -> dict[str, str]:
    """Every return of every sample entity, as canonical JSON text."""
    return {
        f"{entity}/{r.stem}": json.dumps(r.document, sort_keys=True)
        for entity in SAMPLE_ENTITIES
        for r in api.build_returns(prepared, entity, SAMPLE_PERIOD_END)
    }


def sample_paths(**kwargs) -> api.InputPaths:
    return api.InputPaths.of(
        SAMPLE_DIR / "config.yaml",
        kwargs.get("complaints", SAMPLE_DIR / "complaints.csv"),
        kwargs.get("redress", SAMPLE_DIR / "redress.csv"),
        SAMPLE_DIR / "context.csv",
        kwargs.get("mapping"),
        kwargs.get("sheet"),
    )


@pytest.fixture(scope="module")
def canonical() -> dict[str, str]:
    return documents(api.prepare(sample_paths()))


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("export")
    return write_sample_export(SAMPLE_DIR / "complaints.csv", SAMPLE_DIR / "redress.csv", folder)


def test_the_export_really_differs_from_the_extract(export) -> None:
    header = export["complaints"].read_text(encoding="utf-8").splitlines()[0]
    assert "Complaint Ref" in header and "complaint_id" not in header
    body = export["complaints"].read_text(encoding="utf-8")
    assert "Home Insurance" in body and "Rejected" in body and ",Y," in body and "/2025," in body
    assert "Case Ref" in export["redress"].read_text(encoding="utf-8")


def test_an_export_with_its_own_headers_labels_flags_and_dates_gives_the_canonical_returns(export, canonical) -> None:
    mapped = api.prepare(
        sample_paths(complaints=export["complaints"], redress=export["redress"], mapping=export["mapping"])
    )
    assert documents(mapped) == canonical


def test_the_same_export_as_a_workbook_gives_the_canonical_returns(export, canonical, tmp_path) -> None:
    complaints = write_export_workbook(export["complaints"], tmp_path / "complaints.xlsx", "complaints", "Cases")
    redress = write_export_workbook(export["redress"], tmp_path / "redress.xlsx", "redress")
    # Date cells are real dates in the workbook (not dd/mm/yyyy text): read as dates, whatever the mapping's format.
    assert load_workbook(complaints).active["D2"].is_date
    mapped = api.prepare(sample_paths(complaints=complaints, redress=redress, mapping=export["mapping"], sheet="Cases"))
    assert documents(mapped) == canonical


def test_init_mapping_on_the_sample_then_run_gives_the_sample_figures(tmp_path, canonical) -> None:
    out = tmp_path / "mapping.yaml"
    result = invoke(
        "init-mapping", "--complaints", SAMPLE_DIR / "complaints.csv", "--redress", SAMPLE_DIR / "redress.csv",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    mapped = api.prepare(sample_paths(mapping=out))
    assert documents(mapped) == canonical
    frame = read_complaints(SAMPLE_DIR / "complaints.csv", load_mapping(out))
    assert not [c for c in frame.columns if c.startswith(SOURCE_PREFIX)]  # it changed nothing at all
    assert invoke("init-mapping", "--complaints", SAMPLE_DIR / "complaints.csv", "--out", out).exit_code == 2


def test_init_mapping_proposes_targets_values_flags_and_the_date_format(export) -> None:
    result = invoke("init-mapping", "--complaints", export["complaints"], "--redress", export["redress"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert '"Date Received": received_date' in text and '"Final Outcome": outcome' in text
    assert '"Branch Office": null' in text
    assert 'dates: {format: "%d/%m/%Y"}' in text
    assert '"true": ["Y"]' in text and '"false": ["N"]' in text
    assert '"Motor & transport": motor_transport' in text  # the FCA label, pre-filled
    assert '"Home Insurance":    # 451 row(s): fill in its code' in text  # the firm's own label, blank
    # The blanks are refused, every one at once, until filled in.
    path = export["mapping"].parent / "started.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"no code given for 3 value\(s\): `Rejected`, `Partially upheld`"):
        load_mapping(path)


def _mapping(text: str) -> dict:
    return parse_mapping(text, Path("mapping.yaml"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums: {}", r"line 1: colums: `colums` is not a key of a mapping file; did you mean `columns`\?"),
        ("columns: {Ref: complaint_ref}", r"`complaint_ref` is not a column .*did you mean `complaint_id`\?"),
        ("columns: {Ref: complaint_id, Case: complaint_id}", r"`Case` and `Ref` are both mapped to `complaint_id`"),
        (
            "values: {product: {Cards: credit_cards, 'Cards ': motor_transport}}",
            r"`Cards ` and `Cards` are the same value once outer spaces are dropped \(values are matched without",
        ),
        ("columns: {Ref: complaint_id, 'Ref ': null}", r"`Ref ` is another column's header once outer spaces are"),
        (
            "values: {outcome: {Rejected: rejected}}",
            r"`rejected` is not a outcome code; did you mean `not_upheld`|"
            r"`rejected` is not a outcome code",
        ),
        ("values: {product: {Home: home_insurance}}", r"`home_insurance` is not a product code; did you mean"),
        ("values: {produce: {Home: property}}", r"`produce` is not a coded column; did you mean `product`\?"),
        ("values: {goodwill_payment: {Y: 'true'}}", r"a true/false column: list its values under `booleans:`"),
        ("dates: {format: '%d/%m'}", r"cannot write and read back a date"),
        ("dates: {fromat: '%d/%m/%Y'}", r"did you mean `format`\?"),
        ("booleans: {yes: [Y]}", r"`yes` is not a key of booleans"),
        ("booleans: {'true': [Y], 'false': [Y]}", r"'Y' is listed as both true and false"),
        ("columns: [a, b]", r"expected the export's columns"),
        (
            "columns:\n  complaints: {Ref: complaint_id}\n  redres: {Ref: complaint_id}",
            r"line 3: columns.redres: `redres` is not a file of a per-file mapping; did you mean `redress`\?",
        ),
        (
            "columns:\n  complaints: {Ref: complaint_id}\n  redress: complaint_id",
            r"columns.redress: expected the file's",
        ),
        ("columns: {a: b\n", r"cannot be read as YAML"),
        (
            "columns:\n  complaints: {a: \x01b}\n",
            r"cannot be read as YAML: line 2, column 19: the character U\+0001 is not allowed in YAML; remove it$",
        ),
    ],
)
def test_a_bad_mapping_is_refused_with_the_line_and_a_did_you_mean(text, message) -> None:
    with pytest.raises(InputError, match=message):
        _mapping(text)


def test_an_unknown_code_is_refused_on_the_command_line_with_exit_2(ws) -> None:
    mapping = ws.root / "mapping.yaml"
    mapping.write_text("values:\n  product:\n    Home Insurance: home_insurence\n", encoding="utf-8")
    paths = ws.paths([complaint("C1", "2025-02-03")])
    result = invoke("validate", "--config", paths.config, "--complaints", paths.complaints, "--mapping", mapping)
    assert result.exit_code == 2
    assert "line 3: values.product.Home Insurance: `home_insurence` is not a product code" in result.output
    assert "Traceback" not in result.output


def test_yaml_1_1_booleans_stay_the_text_the_user_wrote() -> None:
    parts = _mapping('booleans: {true: [Yes, on, Y], false: [No, off, ""]}\nvalues: {outcome: {No: no_decision}}')
    assert parts["true_values"] == ("Yes", "on", "Y") and parts["false_values"] == ("No", "off", "")
    assert parts["values"] == {"outcome": {"No": "no_decision"}}


def test_a_mapped_file_that_also_has_the_target_column_is_refused(ws) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03") | {"Ref": "X"}])
    mapping = ws.root / "mapping.yaml"
    mapping.write_text("columns: {Ref: complaint_id}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"maps column `Ref` to `complaint_id`, and the file also has"):
        read_complaints(paths.complaints, load_mapping(mapping))


EXPORT_ROWS = [
    {"Ref": f"C{i}", "FRN": "123456", "Received": "03/02/2025", "Closed": "10/02/2025", "Result": "Rejected",
     "Product": label, "Cause": "delays_timescales", "Vulnerable": "Y" if i % 2 else "N"}
    for i, label in enumerate(["Current Account"] * 3 + ["Curent Account", "Credit Crad", "Credit Crad", "Mortgage"])
]  # fmt: skip
EXPORT_MAPPING = """\
columns: {Ref: complaint_id, FRN: firm_frn, Received: received_date, Closed: closed_date, Result: outcome,
          Product: product, Cause: cause, Vulnerable: vulnerable_customer}
dates: {format: "%d/%m/%Y"}
booleans: {"true": [Y], "false": [N]}
values:
  outcome: {Rejected: not_upheld}
  product: {Current Account: current_accounts}
"""


def export_paths(ws, rows=EXPORT_ROWS, mapping=EXPORT_MAPPING) -> tuple[api.InputPaths, Path]:
    (ws.root / "mapping.yaml").write_text(mapping, encoding="utf-8")
    complaints = ws.csv("export.csv", rows)
    return api.InputPaths.of(ws.config(), complaints, mapping=ws.root / "mapping.yaml"), complaints


def test_three_unmapped_labels_are_reported_together_in_one_error(ws) -> None:
    paths, _ = export_paths(ws)
    report = api.validate(paths)
    [unmapped] = report.errors[report.errors["rule"] == "unmapped_value"].to_dict("records")
    message = unmapped["message"]
    assert message.startswith("3 value(s) neither mapped nor a product code: ")
    assert "'Credit Crad' (2 complaint(s): C4, C5; did you mean `credit_cards` (Credit cards)?)" in message
    assert "'Curent Account' (1 complaint(s): C3; did you mean `current_accounts` (Current accounts)?)" in message
    assert "'Mortgage' (1 complaint(s): C6" in message
    assert unmapped["column"] == "Product (product)"
    # The rows' own findings name the value and column as the export has them, never a code they did not become.
    rows = report.errors[report.errors["rule"] == "product_code"]
    assert sorted(rows["value"]) == ["Credit Crad", "Credit Crad", "Curent Account", "Mortgage"]
    assert set(rows["column"]) == {"Product (product)"}
    result = invoke("validate", "--config", paths.config, "--complaints", paths.complaints, "--mapping", paths.mapping)
    assert result.exit_code == 1 and result.output.count("unmapped_value") >= 2 and "Traceback" not in result.output


def test_a_date_not_in_the_declared_format_names_the_value_the_format_and_the_line(ws) -> None:
    rows = [dict(EXPORT_ROWS[0]), dict(EXPORT_ROWS[1], Received="2025-02-03", Ref="C9")]
    paths, _ = export_paths(ws, rows)
    errors = api.validate(paths).errors
    [found] = errors.to_dict("records")
    assert found["rule"] == "date_not_in_mapping_format" and found["value"] == "2025-02-03" and found["line"] == 3
    assert "'%d/%m/%Y'" in found["message"] and found["column"] == "Received (received_date)"


def test_an_adviser_date_of_birth_in_the_wrong_form_is_never_shown(ws) -> None:
    rows = [dict(EXPORT_ROWS[0], DOB="1970-13-45")]
    paths, _ = export_paths(
        ws,
        rows,
        EXPORT_MAPPING.replace(
            "Vulnerable: vulnerable_customer}", "Vulnerable: vulnerable_customer, DOB: adviser_date_of_birth}"
        ),
    )
    errors = api.validate(paths).errors
    shown = errors[errors["column"].str.contains("adviser_date_of_birth")]
    assert len(shown) and not shown["value"].astype(str).str.contains("1970-13-45").any()


def test_a_workbook_message_names_the_cell(ws) -> None:
    paths, complaints = export_paths(ws, [dict(EXPORT_ROWS[0], Cause="delays")])
    workbook = ws.root / "export.xlsx"
    pd.read_csv(complaints, dtype=str).to_excel(workbook, index=False)
    report = api.validate(api.InputPaths.of(paths.config, workbook, mapping=paths.mapping))
    assert sorted(report.errors["rule"]) == ["cause_code", "unmapped_value"]
    assert "export.xlsx cell G2: complaint C0, column Cause (cause), value 'delays': cause_code" in report.summary()


def test_a_missing_sheet_is_refused_with_the_sheets_there_are(ws) -> None:
    workbook = ws.root / "export.xlsx"
    pd.DataFrame([complaint("C1", "2025-02-03")]).to_excel(workbook, index=False, sheet_name="Cases")
    result = invoke("validate", "--config", ws.config(), "--complaints", workbook, "--sheet", "Case")
    assert result.exit_code == 2 and "no sheet `Case` (--sheet); did you mean `Cases`?" in result.output
    csv = ws.csv("complaints.csv", [complaint("C1", "2025-02-03")])
    result = invoke("validate", "--config", ws.config(), "--complaints", csv, "--sheet", "Cases")
    assert result.exit_code == 2 and "--sheet Cases names a sheet of a workbook" in result.output


def test_a_run_records_the_mapping_everywhere_an_auditor_looks(ws) -> None:
    paths, _ = export_paths(ws, [r for r in EXPORT_ROWS if r["Product"] == "Current Account"])
    said: list[str] = []
    folder = run(paths, "123456", api.parse_date("2025-06-30"), ws.root / "out", said.append, notebooks=False).folder
    assert any(
        line.startswith("export.csv: read with mapping mapping.yaml (sha256 ") and "8 column(s) renamed" in line
        and "dates read as %d/%m/%Y" in line
        for line in said
    ), said  # fmt: skip
    assert verify(folder).ok  # re-run with the same mapping, byte for byte
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mapping"]["text"] == EXPORT_MAPPING and manifest["inputs"]["mapping"]["sha256"]
    run_json = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run_json["mapping"]["text"] == EXPORT_MAPPING and run_json["run_id"] == manifest["run_id"]
    assert "mapping" in {i["role"] for i in run_json["inputs"]}
    mapped = pd.read_csv(folder / "validation" / "mapping.csv", dtype=str)
    row = mapped[(mapped["column"] == "product")].iloc[0]
    assert (row["exported_column"], row["exported_value"], row["value"], row["rows"]) == (
        "Product", "Current Account", "current_accounts", "3"
    )  # fmt: skip
    lineage = pd.read_parquet(folder / "lineage" / "annex1.parquet")
    assert set(lineage["exported_product"].astype(str)) == {"Current Account"}
    assert set(lineage["product"].astype(str)) == {"current_accounts"}  # the code it became, beside it
    assert set(lineage["outcome"].astype(str)) == {"not_upheld"}
    assert set(lineage["exported_outcome"].astype(str)) == {"Rejected"}
    sheet = load_workbook(next((folder / "returns").glob("*.xlsx")))["Run"]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert 'dates: {format: "%d/%m/%Y"}' in cells and any(
        manifest["inputs"]["mapping"]["sha256"] in str(c) for c in cells
    )
    # The mapping is part of what the run is: another mapping, another run id.
    (ws.root / "mapping.yaml").write_text(EXPORT_MAPPING + "# reviewed\n", encoding="utf-8")
    again = run(paths, "123456", api.parse_date("2025-06-30"), ws.root / "out2", lambda _: None, notebooks=False)
    assert json.loads((again.folder / "manifest.json").read_text())["run_id"] != manifest["run_id"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["Rejected", "Upheld", "upheld", "Odd", ""]), min_size=1, max_size=30),
    st.dictionaries(st.sampled_from(["Rejected", "Upheld", "Odd"]), st.sampled_from(["not_upheld", "upheld"])),
)
def test_values_are_mapped_per_category_exactly_as_row_by_row(tmp_path_factory, values, pairs) -> None:
    folder = tmp_path_factory.mktemp("p")
    rows = [complaint(f"C{i}", "2025-02-03", "2025-02-04") | {"outcome": v} for i, v in enumerate(values)]
    pd.DataFrame(rows).to_csv(folder / "c.csv", index=False)
    body = "\n".join(f"    {k}: {v}" for k, v in pairs.items())
    (folder / "m.yaml").write_text("values:\n  outcome:\n" + body + "\n" if pairs else "{}\n", encoding="utf-8")
    frame = read_complaints(folder / "c.csv", load_mapping(folder / "m.yaml"))
    expected = [pairs.get(v, v) if v else None for v in values]
    assert [None if pd.isna(v) else v for v in frame["outcome"].astype(object)] == expected


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.slow
def test_the_demo_runs_the_sample_case_system_export_to_the_same_returns(tmp_path) -> None:
    from reportkit.demo import run_export_demo
    from reportkit.sample import write_sample

    paths = write_sample(tmp_path / "sample-data")
    folder = run_export_demo(paths, tmp_path, lambda _: None)
    assert folder == tmp_path / "from-export" / "sample-group" / SAMPLE_PERIOD_END.isoformat()
    assert (tmp_path / "sample-data" / "export" / "mapping.yaml").is_file()
    for shipped in sorted((SAMPLE_DIR / "run" / "returns").glob("*.json")):  # the canonical sample run's returns
        assert (folder / "returns" / shipped.name).read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    page = (folder / "html" / "index.html").read_text(encoding="utf-8")
    assert "Mapping of the export" in page and "Home Insurance" in page


def test_init_mapping_reads_a_workbook_sheet_whose_dates_are_date_cells(export, tmp_path) -> None:
    workbook = write_export_workbook(export["complaints"], tmp_path / "cases.xlsx", "complaints", "Cases")
    args = ["init-mapping", "--complaints", workbook, "--redress", export["redress"]]
    result = invoke(*args, "--sheet", "Cases")
    assert result.exit_code == 0, result.output
    assert '"Date Received": received_date' in result.output and '"Paid On": paid_date' in result.output
    # The complaints' dates are date cells, the redress lines' text in dd/mm/yyyy: the text decides the format.
    assert '\ndates: {format: "%d/%m/%Y"}' in result.output  # proposed, not a commented-out example
    assert '"Payment Type": null' in result.output  # no name close to redress_type: left to the user
    assert invoke(*args, "--sheet", "Sheet1").exit_code == 2


def test_an_empty_cell_answer_never_fills_a_column_the_export_lacks(ws) -> None:
    """`""` under booleans says what an empty cell of the export means; a column the export does not have has
    no cells, so it keeps its documented default (eligible_complainant absent: every complainant eligible)."""
    rows = [dict(EXPORT_ROWS[0], Vulnerable=""), dict(EXPORT_ROWS[1], Ref="C9")]
    mapping = EXPORT_MAPPING.replace('"false": [N]', '"false": [N, ""]')
    paths, complaints = export_paths(ws, rows, mapping)
    frame = read_complaints(complaints, load_mapping(paths.mapping))
    assert list(frame["eligible_complainant"].astype(str)) == ["true", "true"]  # absent: its default
    assert list(frame["vulnerable_customer"].astype(str)) == ["false", "true"]  # an empty cell: what `""` says
    # The same counts with and without the `""` answer: nothing the export lacks is turned into a figure.
    with_empty = api.prepare(paths)
    without = api.prepare(export_paths(ws, rows, EXPORT_MAPPING)[0])
    assert len(with_empty.complaints) == len(without.complaints) == 2
    assert with_empty.complaints["eligible_complainant"].tolist() == without.complaints["eligible_complainant"].tolist()


def test_a_mapping_header_in_another_case_than_the_file_is_refused_not_left_to_a_default(ws) -> None:
    """`Goodwill paid` for the export's `Goodwill Paid`: read on, goodwill_payment would take its default."""
    export = ws.root / "export.csv"
    export.write_text("Ref,Firm,Received,Goodwill Paid\nC1,123456,2025-02-03,Y\n", encoding="utf-8")
    mapping = ws.root / "mapping.yaml"
    mapping.write_text(
        "columns: {Ref: complaint_id, Firm: firm_frn, Received: received_date, 'Goodwill paid': goodwill_payment}\n"
        "booleans: {'true': [Y], 'false': [N]}\n",
        encoding="utf-8",
    )
    paths = ws.paths([complaint("C1", "2025-02-03")])
    result = invoke("validate", "--config", paths.config, "--complaints", export, "--mapping", mapping)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: {export}: the mapping mapping.yaml names a column the file has under another case or spacing: "
        "`Goodwill paid` is not in the file, which has `Goodwill Paid`; write the header exactly as the file has it"
    ]


def test_the_same_value_with_outer_spaces_and_the_same_code_is_accepted() -> None:
    checked = _mapping("values: {product: {Cards: credit_cards, 'Cards ': credit_cards}}")
    assert checked["values"]["product"] == {"Cards": "credit_cards"}


def test_a_mapping_header_for_a_column_the_file_has_under_its_own_name_or_an_ignored_one_is_not_refused(ws) -> None:
    """`Product: product` with the file's own `product` column, or `branch office: null` for `Branch Office`."""
    export = ws.root / "export.csv"
    export.write_text(
        "complaint_id,firm_frn,received_date,product,cause,Branch Office\n"
        "C1,123456,2025-02-03,credit_cards,delays_timescales,x\n",
        encoding="utf-8",
    )
    mapping = ws.root / "mapping.yaml"
    mapping.write_text("columns: {Product: product, 'branch office': null}\n", encoding="utf-8")
    paths = ws.paths([complaint("C1", "2025-02-03")])
    result = invoke("validate", "--config", paths.config, "--complaints", export, "--mapping", mapping)
    assert result.exit_code == 0, result.output
