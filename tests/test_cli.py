"""The command line: arguments become one API call, and exit codes scripts can trust (0/1/2)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportkit import cli
from reportkit.runner import RunOutcome
from tests.conftest import FIRM, complaint


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def run_args(paths, out, *extra) -> list:
    """`reportkit run` for the test firm's first half of 2025."""
    return [
        "run",
        "--config",
        paths.config,
        "--entity",
        "123456",
        "--period-end",
        "2025-06-30",
        "--complaints",
        paths.complaints,
        "--out",
        out,
        *extra,
    ]


def test_calendar_json(ws) -> None:
    result = invoke(
        "calendar",
        "--config",
        ws.config(),
        "--entity",
        "123456",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == [
        {
            "return": "annex1",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "due": "2025-08-11",
            "publication_deadline": "2025-08-31",
            "regime": "current",
            "frn": "123456",
            "note": None,
        },
        {
            "return": "annex1",
            "period_start": "2025-07-01",
            "period_end": "2025-12-31",
            "due": "2026-02-12",
            "publication_deadline": "2026-02-28",
            "regime": "current",
            "frn": "123456",
            "note": None,
        },
    ]


def test_calendar_lists_every_return_with_null_publication_for_those_without(ws) -> None:
    firm = {**FIRM, "accounting_reference_date": "03-31", "returns": ["annex1", "annex1c", "annex1ad"]}
    result = invoke(
        "calendar",
        "--config",
        ws.config([firm]),
        "--entity",
        "123456",
        "--from",
        "2026-09-01",
        "--to",
        "2027-04-30",
        "--json",
    )
    rows = json.loads(result.stdout)
    assert {(r["return"], r["period_end"], r["regime"], r["publication_deadline"]) for r in rows} == {
        ("annex1", "2026-09-30", "current", "2027-02-28"),
        ("annex1c", "2026-09-30", "current", None),
        ("annex1", "2026-12-31", "current", "2027-02-28"),
        ("annex1c", "2026-12-31", "current", None),
        ("annex1ad", "2026-12-31", "current", None),
    }


def test_calendar_table_output(ws) -> None:
    result = invoke(
        "calendar", "--config", ws.config(), "--entity", "123456", "--from", "2025-01-01", "--to", "2025-06-30"
    )
    assert result.exit_code == 0
    assert "annex1       123456   2025-01-01   2025-06-30   2025-08-11   2025-08-31   current      -\n" in result.output


def test_validate_exit_codes(ws) -> None:
    clean = ws.paths([complaint("C1", "2025-02-03")])
    assert invoke("validate", "--config", clean.config, "--complaints", clean.complaints).exit_code == 0
    bad = ws.paths([complaint("C1", "2025-02-03", product="bogus")])
    result = invoke("validate", "--config", bad.config, "--complaints", bad.complaints, "--out", ws.root / "v")
    assert result.exit_code == 1
    assert "complaint C1, column product, value 'bogus': product_code" in result.output
    assert (ws.root / "v" / "validation" / "errors.csv").is_file()
    missing = invoke("validate", "--config", bad.config, "--complaints", ws.root / "missing.csv")
    assert missing.exit_code == 2 and "complaints file not found" in missing.output


def test_usage_errors_exit_2(ws) -> None:
    assert invoke("run", "--config", ws.config()).exit_code == 2
    result = invoke(
        "run", "--config", ws.config(), "--entity", "123456", "--period-end", "30/06/2025", "--complaints", "x.csv"
    )
    assert result.exit_code == 2 and "is not a date in the form YYYY-MM-DD" in result.output


def test_run_translates_arguments_into_one_call(ws, monkeypatch) -> None:
    calls = []

    def fake_run(paths, entity, period_end, out, progress, lineage_csv):
        calls.append((paths, entity, period_end, out, lineage_csv))
        return RunOutcome(out / entity / str(period_end), ["annex1"], [])

    monkeypatch.setattr("reportkit.runner.run", fake_run)
    paths = ws.paths([complaint("C1", "2025-02-03")], redress=[], context=[])
    result = invoke(*run_args(paths, ws.root / "o", "--redress", paths.redress, "--context", paths.context))
    assert result.exit_code == 0, result.output
    [(called_paths, entity, period_end, out, lineage_csv)] = calls
    assert called_paths == paths and entity == "123456" and period_end == dt.date(2025, 6, 30) and out == ws.root / "o"
    assert lineage_csv is False
    invoke(*run_args(paths, ws.root / "o", "--lineage-csv"))
    assert calls[-1][-1] is True


def test_run_reports_validation_errors_with_exit_1(ws) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-01", "upheld")])
    result = invoke(*run_args(paths, ws.root / "o"))
    assert result.exit_code == 1
    assert "closed_before_received" in result.output and "Traceback" not in result.output


def test_installed_command_runs(ws) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    command = Path(sys.executable).parent / "reportkit"
    done = subprocess.run(
        [str(command), "validate", "--config", str(paths.config), "--complaints", str(paths.complaints)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "validation: 0 error(s)" in done.stdout


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_the_run_still_verifies(ws) -> None:
    """A file system allows any bytes in a name: the command reads the file, names it with a backslash escape
    in findings, pages and the manifest, and verify finds it again from the manifest."""
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-04")])
    odd = ws.root / os.fsdecode(b"r\xe9clamations.csv")
    shutil.copy(paths.complaints, odd)
    command = str(Path(sys.executable).parent / "reportkit")
    args = ["--config", str(paths.config), "--complaints", str(odd)]
    done = subprocess.run([command, "run", *args, "--entity", "123456", "--period-end", "2025-06-30", "--out",
                           str(ws.root / "out")], capture_output=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    folder = ws.root / "out" / "123456" / "2025-06-30"
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["inputs"][1]["name"] == "r\\xe9clamations.csv"
    verified = subprocess.run([command, "verify", str(folder)], capture_output=True, timeout=300)
    assert verified.returncode == 0, verified.stderr


def test_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(ws) -> None:
    """Early in start-up the entry point's handler answers, later the command's own: either way one line and
    exit 130, never a KeyboardInterrupt traceback."""
    paths = ws.paths([complaint("C1", "2025-02-03")])
    command = str(Path(sys.executable).parent / "reportkit")
    args = [command, "validate", "--config", str(paths.config), "--complaints", str(paths.complaints)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)  # inside the imports (they take about a second) on most machines
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    lines = err.decode().splitlines()
    assert process.returncode == 130, err
    assert "Traceback" not in err.decode()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted by SIGINT"), lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run"], "error: Missing option '--config'. (`reportkit run --help` lists what it takes)"),
        (["run", "--bogus", "1"], "error: No such option '--bogus'."),
        (["nope"], "error: No such command 'nope'. (`reportkit --help` lists what it takes)"),
        (["codes", "a", "b"], "error: Got unexpected extra argument (b)"),
    ],
)
def test_a_usage_error_is_one_error_line_with_exit_2(args, message) -> None:
    result = CliRunner().invoke(cli.main, args, prog_name="reportkit")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(message)
    assert "Usage:" not in result.output


def test_validate_with_errors_ends_with_one_error_line_and_exit_1(ws) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-01", "upheld")])
    result = invoke("validate", "--config", paths.config, "--complaints", paths.complaints)
    assert result.exit_code == 1
    assert "closed_before_received" in result.stdout
    assert result.stderr.splitlines()[-1] == "error: 1 validation error(s) in the inputs, listed above"


def test_the_command_alone_shows_its_help() -> None:
    result = CliRunner().invoke(cli.main, [], prog_name="reportkit")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: reportkit [OPTIONS] COMMAND [ARGS]...")
    assert "error:" not in result.output
