"""`reportkit verify`, `diff` and `explain` on run folders: exit codes, messages and exactly what they report."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIRM, Workspace, complaint

from reportkit import api
from reportkit.cli import main
from reportkit.diff import diff_runs
from reportkit.errors import InputError
from reportkit.explain import explain
from reportkit.rundir import InputChanged
from reportkit.runner import run
from reportkit.verify import verify

END = dt.date(2025, 6, 30)
ROWS = [
    complaint("C1", "2025-02-03", "2025-02-04", "upheld", redress_amount="9.99"),
    complaint("C2", "2025-02-05", "2025-02-20", "not_upheld", forwarded="entire"),
    complaint("C3", "2025-03-03", "2025-03-20", "upheld", eligible_complainant="false"),
    complaint("C4", "2024-03-01", "2024-04-01", "upheld"),
    complaint("C5", "2025-03-03"),
    complaint("C6", "2024-11-04"),
]
"""C1 counted (opened, within 3 days, upheld, redress); C2 forwarded entirely; C3 not eligible; C4 outside the
period; C5 opened and still open; C6 outstanding at the start, still open."""
FILES = [
    "facts/annex1-complaints.parquet",
    "facts/annex1.parquet",
    "lineage/annex1.parquet",
    "returns/123456-2025-06-30.xlsx",
    "returns/annex1.json",
    "run.json",
    "validation/checks.csv",
    "validation/errors.csv",
    "validation/warnings.csv",
]


def quiet(_message: str) -> None:
    pass


def make_run(root: Path, rows: list[dict], out: Path, firms: list[dict] | None = None, **options) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return run(Workspace(root).paths(rows, firms=firms), "123456", END, out, quiet, notebooks=False, **options).folder


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """One run of ROWS (read only: tests that change a run copy it, with its inputs kept in place)."""
    root = tmp_path_factory.mktemp("base")
    return make_run(root / "inputs", ROWS, root / "out")


def copy_run(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy" / folder.name
    shutil.copytree(folder, target)
    return target


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result, exit_code: int, pattern: str) -> None:
    """The CLI failed with `exit_code` and one `error:` line matching `pattern`, and no traceback."""
    assert result.exit_code == exit_code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.search(pattern, errors[0]), result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


# ----------------------------------------------------------------------------- verify
def test_verify_an_untouched_run_is_identical_and_writes_nothing_into_it(base) -> None:
    before = {p: (p.is_file() and p.read_bytes(), p.stat().st_mtime_ns) for p in base.rglob("*")}
    result = verify(base)
    assert result.ok and result.identical == FILES and result.lines() == ["identical: 9 files"]
    cli = invoke("verify", base)
    assert cli.exit_code == 0 and cli.stdout.splitlines() == ["identical: 9 files"]
    after = {p: (p.is_file() and p.read_bytes(), p.stat().st_mtime_ns) for p in base.rglob("*")}
    assert after == before  # no file written, changed or added in the run folder


def test_verify_ignores_the_manifest_and_review_page_only(base, tmp_path) -> None:
    folder = copy_run(base, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["finished_at"] = "2099-01-01T00:00:00+00:00"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "html").mkdir(exist_ok=True)  # the run wrote its review page there
    (folder / "html" / "index.html").write_text("<p>review page of one execution</p>")
    assert verify(folder).lines() == ["identical: 9 files"]


def test_verify_names_each_changed_missing_and_extra_output_with_exit_3(base, tmp_path) -> None:
    folder = copy_run(base, tmp_path)
    (folder / "returns" / "annex1.json").write_text("{}")
    (folder / "validation" / "warnings.csv").unlink()
    (folder / "returns" / "notes.txt").write_text("added by hand")
    result = invoke("verify", folder)
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        "differs: returns/annex1.json",
        "missing from the run folder: validation/warnings.csv",
        "not produced by the re-run: returns/notes.txt",
        "3 difference(s); identical: 7 files",
    ]
    assert (
        result.stderr.splitlines()[-1] == f"error: the re-run does not reproduce {folder} byte for byte (listed above)"
    )


def test_verify_says_when_the_run_was_made_by_another_reportkit(base, tmp_path) -> None:
    folder = copy_run(base, tmp_path)
    facts = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps(dict(facts, reportkit="0.0.1", commit="ab" * 20)))
    lines = verify(folder).lines()
    assert re.fullmatch(
        r"note: the run was made by reportkit 0\.0\.1 at commit abababababab, the re-run by reportkit \S+( at commit "
        r"[0-9a-f]{12})?; the version is part of the run id, so files carrying it differ: verify with reportkit "
        r"0\.0\.1 at commit abababababab",
        lines[0],
    )
    assert lines[1:] == ["differs: run.json", "1 difference(s); identical: 8 files"]


def test_verify_refuses_a_changed_input_with_exit_5_naming_it_and_both_hashes(tmp_path) -> None:
    folder = make_run(tmp_path / "inputs", ROWS[:2], tmp_path / "out")
    recorded = json.loads((folder / "manifest.json").read_text())["inputs"]["complaints"]["sha256"]
    Workspace(tmp_path / "inputs").csv("complaints.csv", ROWS[:1])
    with pytest.raises(
        InputChanged,
        match=rf"input complaints .*complaints\.csv has changed: sha256 recorded "
        rf"{recorded}, found [0-9a-f]{{64}}; restore",
    ) as caught:
        verify(folder)
    assert caught.value.exit_code == 5
    one_line_error(invoke("verify", folder), 5, rf"has changed: sha256 recorded {recorded}, found ")


def test_verify_refuses_a_missing_input_with_exit_5(tmp_path) -> None:
    folder = make_run(tmp_path / "inputs", ROWS[:2], tmp_path / "out")
    (tmp_path / "inputs" / "config.yaml").unlink()
    one_line_error(invoke("verify", folder), 5, r"input config .*config\.yaml named in the manifest is missing")


@pytest.mark.parametrize("command", ["verify", "explain"])
def test_a_folder_that_is_no_run_is_a_usage_error(tmp_path, command) -> None:
    extra = ["--complaint", "C1"] if command == "explain" else []
    one_line_error(invoke(command, tmp_path, *extra), 2, r"has no manifest\.json, so it is not a finished run")
    one_line_error(invoke(command, tmp_path / "nope", *extra), 2, r"run folder .*nope does not exist")


# ----------------------------------------------------------------------------- diff
def test_diff_lists_exactly_the_changed_cells_as_text_and_page(base, tmp_path) -> None:
    rows = [dict(ROWS[0], outcome="not_upheld"), *ROWS[1:]]
    restated = make_run(tmp_path / "inputs", rows, tmp_path / "out")
    page = tmp_path / "diff.html"
    result = invoke("diff", base, restated, "--html", page)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "annex1 table 2 row banking_credit_cards column upheld: 1 -> 0",
        "annex1 table 2 row banking_credit_cards column redress_upheld: 10 -> 0",
        "annex1 table 2 row banking_credit_cards column redress_not_upheld: 0 -> 10",
        "3 figure(s) differ in 123456 2025-06-30",
    ]
    text = page.read_text()
    assert "<title>Differences between two runs of 123456 for the period ending 2025-06-30</title>" in text
    assert '<th scope="col">Before (run A)</th>' in text and "<td>redress_not_upheld</td><td>0</td><td>10</td>" in text
    assert "http" not in text and "<script" not in text and "<link" not in text  # no request to any host


def test_diff_of_a_run_with_itself_is_empty_with_exit_0(base) -> None:
    result = invoke("diff", base, base)
    assert result.exit_code == 0 and result.stdout == "no differences in 1 return(s) of 123456 2025-06-30\n"
    assert diff_runs(base, base).changes == []


def test_diff_reports_header_answers(base, tmp_path) -> None:
    restated = make_run(tmp_path / "inputs", [*ROWS, complaint("C7", "2024-12-02")], tmp_path / "out")
    lines = diff_runs(base, restated).lines()
    assert lines == ["annex1 header outstanding_at_start: 1 -> 2", "1 figure(s) differ in 123456 2025-06-30"]


def test_diff_refuses_runs_of_different_periods(base, tmp_path) -> None:
    other = tmp_path / "other"
    shutil.copytree(base, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["parameters"]["period_end"] = "2025-12-31"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match=r"different periods: .* is 123456 2025-06-30, .* is 123456 2025-12-31"):
        diff_runs(base, other)
    one_line_error(invoke("diff", base, other), 2, "the runs are of different periods")


# ----------------------------------------------------------------------------- explain
def test_explain_a_counted_complaint_names_each_cell_rule_and_paragraph(base) -> None:
    result = invoke("explain", base, "--complaint", "C1")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "complaint C1 of firm 123456: received 2025-02-03, closed 2025-02-04, outcome upheld, eligible complainant "
        "yes, forwarded none",
        "annex1 (Complaints return (DISP 1 Annex 1R)): counted in 4 cell(s)",
        "  table 1, row banking_credit_cards, column general_admin_customer_service: opened: received in the period "
        "(DISP 1.10.7R)",
        "  table 2, row banking_credit_cards, column closed_within_3_days: closed_within_3_days: by the end of the 3rd "
        "business day after receipt (DISP 1.5.1R)",
        "  table 2, row banking_credit_cards, column upheld: upheld: upheld in whole or in part, closed in the period "
        "(DISP 1.10.3G(2))",
        "  table 2, row banking_credit_cards, column redress_upheld: redress paid for an upheld complaint "
        "(DISP 1.10.3G(3)-(4))",
    ]


@pytest.mark.parametrize(
    ("cid", "reason"),
    [
        ("C2", "forwarded in its entirety to another respondent (DISP 1.10.1AR)"),
        ("C3", "not from an eligible complainant (DISP 1.10.1R)"),
        ("C4", "outside the period 2025-01-01 to 2025-06-30: received 2024-03-01, closed 2024-04-01 (DISP 1.10.7R)"),
        (
            "C6",
            "neither received nor closed in the period 2025-01-01 to 2025-06-30 (received 2024-11-04, closed not "
            "yet): only in the count of complaints outstanding at the period start (DISP 1.10.7R)",
        ),
    ],
)
def test_explain_a_left_out_complaint_names_the_reason(base, cid, reason) -> None:
    (explanation,) = explain(base, cid)
    (item,) = explanation.returns
    assert item.placements == [] and item.left_out == [reason]
    assert item.lines() == [f"annex1 (Complaints return (DISP 1 Annex 1R)): left out: {reason}"]


def test_explain_an_unknown_complaint_or_firm_is_one_clear_line(base) -> None:
    one_line_error(
        invoke("explain", base, "--complaint", "C99"),
        2,
        r"^error: complaint 'C99' is not in the extract complaints\.csv the run read \(6 complaints\)",
    )
    one_line_error(
        invoke("explain", base, "--complaint", "C1", "--frn", "999999"),
        2,
        r"complaint 'C1' is in complaints\.csv, but not for firm 999999: drop --frn or give one of 123456$",
    )


def test_explain_refuses_a_changed_input_with_exit_5(tmp_path) -> None:
    folder = make_run(tmp_path / "inputs", ROWS[:2], tmp_path / "out")
    Workspace(tmp_path / "inputs").csv("complaints.csv", ROWS[:1])
    one_line_error(invoke("explain", folder, "--complaint", "C1"), 5, "input complaints .* has changed")


def test_explain_another_firms_complaint_and_masks_advisers(tmp_path) -> None:
    second = dict(FIRM, frn="654321", name="Other Bank plc")
    firm = dict(FIRM, returns=["annex1", "annex1c"])
    adviser = {"adviser_irn": "ABC12345", "product": "current_accounts"}
    rows = [
        complaint("A1", "2025-02-03", "2025-02-04", "upheld", **adviser),
        complaint("B1", "2025-02-03", firm_frn="654321"),
    ]
    folder = make_run(tmp_path / "inputs", rows, tmp_path / "out", firms=[firm, second])
    (other,) = explain(folder, "B1")
    assert [item.left_out for item in other.returns] == [
        ["another firm: the complaint is firm 654321's, this return covers 123456"]
    ] * len(other.returns)
    (counted,) = explain(folder, "A1")
    adviser_rows = {p.row for item in counted.returns if item.stem == "annex1c" for p in item.placements}
    assert adviser_rows == {"Adviser 1 (keyed by IRN)"}  # as the pages name it: the key's place in table 1C
    output = invoke("explain", folder, "--complaint", "A1").stdout
    assert "ABC12345" not in output and "annex1c" in output


# ----------------------------------------------------------------------------- with notebooks
def test_verify_a_run_with_notebooks_is_identical(tmp_path) -> None:
    root = tmp_path / "inputs"
    root.mkdir()
    folder = run(Workspace(root).paths(ROWS[:2]), "123456", END, tmp_path / "out", quiet, notebooks=True).folder
    result = verify(folder)
    assert result.ok, result.lines()
    assert {"html/annex1.html", "notebooks/annex1.ipynb", "html/validation.html"} <= set(result.identical)


# ----------------------------------------------------------------------------- the sample group
@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    """The bundled sample group's run for the sample period, without notebooks."""
    from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END, write_sample

    root = tmp_path_factory.mktemp("sample")
    paths = write_sample(root / "sample-data")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    return run(inputs, SAMPLE_ENTITIES[0], SAMPLE_PERIOD_END, root / "out", quiet, notebooks=False).folder


def test_explain_on_the_sample_group_covers_every_return(sample_run) -> None:
    (explanation,) = explain(sample_run, "100002-0000149")
    assert {item.stem: item.left_out for item in explanation.returns} == {
        "annex1--nil-100002": [
            "a member's nil return (firm 100002) counts no complaints: the group's joint return reports its "
            "complaints (DISP 1.10.1CR)"
        ],
        "annex1--nil-100003": [
            "a member's nil return (firm 100003) counts no complaints: the group's joint return reports its "
            "complaints (DISP 1.10.1CR)"
        ],
        "annex1": ["not from an eligible complainant (DISP 1.10.1R)"],
        "annex1ad--100001": ["another firm: the complaint is firm 100002's, this return covers 100001"],
        "annex1ad--100002": [
            "issuing or redemption of e-money from a complainant who is not an eligible complainant (DISP 1.1.3AD(2))"
        ],
        "annex1b": ["not from an eligible complainant (DISP 1.10.1R)"],
    }


def test_explain_a_payment_complaint_cites_annex_1ad_paragraphs_and_the_summary(sample_run) -> None:
    (explanation,) = explain(sample_run, "100001-0000716")
    by_stem = {item.stem: item for item in explanation.returns}
    assert [(p.table, p.row, p.column, p.paragraph) for p in by_stem["annex1ad--100001"].placements] == [
        ("1", "credit_transfers", "charges_interest", "DISP 1.10B.7D(1)"),
        ("2", "credit_transfers", "closed_within_15_business_days", "DISP 1.6.2AR"),
        ("2", "credit_transfers", "upheld", "DISP 1.10B.8G(2)"),
        ("2", "credit_transfers", "redress_upheld", "DISP 1.10B.8G(3)-(4)"),
    ]
    (counted,) = explain(sample_run, "100001-0000875")
    summary = next(item for item in counted.returns if item.stem == "annex1b")
    # The summary keeps its own lineage: the cells of the complaint's product group, and the main cause only
    # when the complaint's cause is that row's main cause (delays_timescales for home finance; this one is
    # unsuitable_advice).
    assert [(p.table, p.row, p.column) for p in summary.placements] == [
        ("1B", "home_finance", column)
        for column in ("provision_per_1000", "intermediation_per_1000", "opened", "closed",
                       "pct_closed_3_days_to_8_weeks")
    ]  # fmt: skip
    assert summary.summarises is None


def test_verify_and_diff_the_sample_group(sample_run) -> None:
    assert verify(sample_run).ok
    assert invoke("diff", sample_run, sample_run).stdout == "no differences in 6 return(s) of sample-group 2025-12-31\n"


def test_explain_reads_parquet_lineage_and_undoes_the_csv_apostrophe(tmp_path) -> None:
    rows = [complaint("=C1", "2025-02-03", "2025-02-04", "upheld")]
    folder = make_run(tmp_path / "inputs", rows, tmp_path / "out", lineage_csv=True)
    (folder / "lineage" / "annex1.parquet").unlink()  # the CSV alone: as a run before lineage went to Parquet
    assert "'=C1" in (folder / "lineage" / "annex1.csv").read_text()  # neutralised for spreadsheets
    from_csv = explain(folder, "=C1")[0].returns[0].placements
    assert [(p.table, p.column) for p in from_csv] == [
        ("1", "general_admin_customer_service"),
        ("2", "closed_within_3_days"),
        ("2", "upheld"),
    ]
    lineage = pd.read_csv(folder / "lineage" / "annex1.csv", dtype=str)
    lineage["complaint_id"] = "=C1"
    lineage.to_parquet(folder / "lineage" / "annex1.parquet", index=False)
    (folder / "lineage" / "annex1.csv").unlink()
    assert explain(folder, "=C1")[0].returns[0].placements == from_csv


def test_diff_names_a_return_found_in_one_run_only(base, tmp_path) -> None:
    folder = copy_run(base, tmp_path)
    document = json.loads((folder / "returns" / "annex1.json").read_text())
    (folder / "returns" / "annex1c.json").write_text(json.dumps(dict(document, tables={})))
    lines = diff_runs(base, folder).lines()
    assert lines[0] == f"only in {folder}: returns/annex1c.json"
    assert "annex1c header opened: (absent) -> 2" in lines
    assert lines[-1].endswith("figure(s) differ in 123456 2025-06-30")


def test_verify_finds_inputs_a_run_was_given_as_relative_paths_from_any_folder(tmp_path, monkeypatch) -> None:
    workspace = Workspace(tmp_path)
    workspace.paths(ROWS[:2])
    monkeypatch.chdir(tmp_path)
    relative = api.InputPaths.of("config.yaml", "complaints.csv")
    folder = run(relative, "123456", END, tmp_path / "out", quiet, notebooks=False).folder
    assert json.loads((folder / "manifest.json").read_text())["inputs"]["complaints"]["path"] == "complaints.csv"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert verify(folder).lines() == ["identical: 9 files"]


def test_diff_names_advisers_by_their_pseudonyms_in_text_and_page() -> None:
    """An Annex 1C row key is personal data (IRN, or NI number and date of birth): diff names each adviser as the
    run's pages do, by its place in the table, and shows no character of the key nor a hash of it."""
    from reportkit.diff import RunDiff, diff_documents

    ni, irn, gone = "NI:QQ123456C:1970-02-11", "ABC12345", "XYZ99999"
    before = {
        "return": "annex1c",
        "layout_version": "2011-04-06",
        "header": {},
        "tables": {"1C": {gone: {"received": 1}, ni: {"received": 6}, irn: {"received": 2}}},
    }
    after = {**before, "tables": {"1C": {ni: {"received": 4}, irn: {"received": 2}}}}
    changes = diff_documents("annex1c", before, after)
    assert [(c.row, c.column, c.before, c.after) for c in changes] == [
        ("Adviser 1 (keyed by IRN) in run A only", "received", 1, "(absent)"),
        ("Adviser 2 (keyed by NI number and date of birth) in run A, "
         "Adviser 1 (keyed by NI number and date of birth) in run B", "received", 6, 4),
    ]  # fmt: skip
    shown = RunDiff(Path("a"), Path("b"), "300001", "2025-12-31", changes, [], [], ["annex1c"])
    text = "\n".join(shown.lines()) + shown.html()
    for personal in ("QQ123456C", "1970-02-11", "ABC12345", "XYZ99999", "adviser#"):
        assert personal not in text
    assert (
        "annex1c table 1C row Adviser 2 (keyed by NI number and date of birth) in run A, Adviser 1 (keyed by NI "
        "number and date of birth) in run B column received: 6 -> 4"
    ) in shown.lines()
