"""Publishing a run: plain names and paths inside --out, one run of a period at a time, crash-safe swaps,
interrupts and killed runs cleaned up, and inputs hashed from the very bytes that were parsed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import psutil
import pytest
from click.testing import CliRunner
from filelock import FileLock
from hypothesis import given
from hypothesis import strategies as st

import reportkit.runner as run_module
from reportkit import api, cli
from reportkit.aggregate import LINEAGE_COLUMNS
from reportkit.errors import EnvironmentProblem, InputError, RunLocked, ValidationFailed
from reportkit.kernel_home import KERNEL_HOME_PREFIX
from reportkit.returns.common import ReturnResult
from reportkit.runner import RunFolders, inside, run, safe_name
from scripts.generate_golden import sample_paths
from tests.conftest import FIRM, H1_2025_END, complaint
from tests.test_cli import run_args
from tests.test_workbook_keying import run_sheet, workbook_of

ROOT = Path(__file__).resolve().parent.parent


def quiet(message: str) -> None:
    pass


def tree(folder: Path) -> list[str]:
    """Every path under `folder`, relative, sorted: what a test compares before and after."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def hidden(entity_dir: Path) -> list[str]:
    """The hidden entries of an entity folder (staging, .old-*, the lock file)."""
    return sorted(p.name for p in entity_dir.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- safe names and paths


@pytest.mark.parametrize("entity", ["../../x", "../x", "/tmp/elsewhere", ".hidden", "..", "a/b", "x\n", ""])
def test_an_entity_that_is_no_plain_name_is_refused_before_anything_is_written(ws, tmp_path, entity) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    victim = tmp_path / "x"
    victim.mkdir()
    (victim / "keep.txt").write_text("an earlier folder")
    before = tree(tmp_path)
    with pytest.raises(InputError, match=r"^entity .* cannot name an output folder or file: expected letters"):
        run(paths, entity, H1_2025_END, tmp_path / "a" / "out", quiet, notebooks=False)
    assert tree(tmp_path) == before  # nothing created (not even --out), nothing deleted


@pytest.mark.parametrize("gid", ["../../../x", "/tmp/x", "..", ".x", "x/y", "x\n"])
def test_a_traversal_group_id_in_the_configuration_is_refused(ws, tmp_path, gid) -> None:
    group = {"id": gid, "name": "G", "reporting_firm": "123456", "members": ["123456"], "returns": ["annex1"]}
    paths = ws.paths([complaint("C1", "2025-02-03")], groups=[group])
    victim = tmp_path / "x"
    victim.mkdir()
    (victim / "keep.txt").write_text("an earlier folder")
    before = tree(tmp_path)
    with pytest.raises(InputError, match=r"group id .* must be text of letters, digits"):
        run(paths, "123456", H1_2025_END, tmp_path / "a" / "out", quiet, notebooks=False)  # read, then refused
    assert tree(tmp_path) == before


def test_an_entity_folder_linked_outside_out_is_refused(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    (elsewhere / "2025-06-30").mkdir(parents=True)
    (elsewhere / "2025-06-30" / "keep.txt").write_text("not reportkit's")
    (out / "123456").symlink_to(elsewhere, target_is_directory=True)
    before = tree(elsewhere)
    with pytest.raises(InputError, match=r"^refusing to write .*2025-06-30: it lies outside the --out folder"):
        run(paths, "123456", H1_2025_END, out, quiet, notebooks=False)
    assert tree(elsewhere) == before


def test_inside_accepts_only_paths_below_out(tmp_path) -> None:
    out = tmp_path / "out"
    assert inside(out, out / "e" / "2025-06-30") == out / "e" / "2025-06-30"
    for outside in (out, out / ".." / "x", tmp_path / "outside", Path("/etc")):
        with pytest.raises(InputError, match="lies outside the --out folder"):
            inside(out, outside)


@given(st.text(alphabet="ab1._-/\\\n ~", min_size=1, max_size=8))
def test_every_accepted_name_stays_inside_out(name: str) -> None:
    out = Path("/srv/reportkit-out")
    try:
        safe_name(name, "entity")
    except InputError:
        assert not name[0].isalnum() or any(c in name for c in "/\\\n ~")
        return
    assert out.resolve() in (out / name / "2025-06-30").resolve().parents
    assert RunFolders.of(out, name, H1_2025_END).final == out / name / "2025-06-30"


# --------------------------------------------------------------------------- one run of a period at a time


def held_lock(out: Path, entity: str = "123456", period: str = "2025-06-30") -> FileLock:
    """The period's lock as another run would hold it (flock: a second open conflicts, even in this process)."""
    (out / entity).mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / entity / f".{period}.lock", thread_local=False)  # released by a timer thread
    lock.acquire()
    return lock


def test_a_second_run_waits_for_the_first_and_says_so(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    lock = held_lock(tmp_path)
    releaser = threading.Timer(1.5, lock.release)
    releaser.start()
    lines: list[str] = []
    started = time.monotonic()
    outcome = run(paths, "123456", H1_2025_END, tmp_path, lines.append, notebooks=False)
    releaser.join()
    assert time.monotonic() - started >= 1.4  # it waited for the other run
    waiting = [line for line in lines if "waiting for another run" in line]
    assert len(waiting) == 1
    assert waiting[0].endswith(
        f"waiting for another run of 123456 for 2025-06-30 to finish (up to 900s; it holds "
        f"{tmp_path / '123456' / '.2025-06-30.lock'})"
    )
    assert (outcome.folder / "manifest.json").is_file()


def test_a_run_gives_up_after_the_wait_with_exit_4_and_writes_nothing(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    monkeypatch.setattr(run_module, "LOCK_WAIT_SECONDS", 0.3)
    lock = held_lock(tmp_path / "out")
    try:
        with pytest.raises(
            RunLocked,
            match=r"^another run of 123456 for 2025-06-30 still holds .*\.2025-06-30\.lock "
            r"after 0s; let it finish \(or stop it\) and run again$",
        ) as raised:
            run(paths, "123456", H1_2025_END, tmp_path / "out", quiet, notebooks=False)
        assert raised.value.exit_code == 4
        assert hidden(tmp_path / "out" / "123456") == [".2025-06-30.lock"]  # no staging was made
        assert not (tmp_path / "out" / "123456" / "2025-06-30").exists()

        result = CliRunner().invoke(cli.main, [str(a) for a in run_args(paths, tmp_path / "out")])
        assert result.exit_code == 4
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "still holds" in errors[0]
        assert "Traceback" not in result.output
    finally:
        lock.release()


def test_runs_of_other_periods_or_entities_do_not_wait(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    monkeypatch.setattr(run_module, "LOCK_WAIT_SECONDS", 0.1)
    lock = held_lock(tmp_path, period="2025-12-31")
    try:
        lines: list[str] = []
        run(paths, "123456", H1_2025_END, tmp_path, lines.append, notebooks=False)
        assert not [line for line in lines if "waiting" in line]
    finally:
        lock.release()


# --------------------------------------------------------------------------- crash-safe swap and recovery

KILL_BETWEEN_RENAMES = textwrap.dedent(
    """
    import datetime as dt, os, sys
    from pathlib import Path
    from reportkit import api
    from reportkit.runner import run

    real_rename = Path.rename

    def rename(self, target):
        if Path(target).name == "2025-06-30":  # the second rename: staging into the period's place
            os._exit(137)  # killed: no clean-up of any kind
        return real_rename(self, target)

    Path.rename = rename
    config, complaints, out = sys.argv[1:]
    run(api.InputPaths.of(config, complaints), "123456", dt.date(2025, 6, 30), Path(out), print, notebooks=False)
    """
)


def test_a_run_killed_between_the_two_renames_is_recovered_by_the_next_run(ws, tmp_path) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-10", "upheld")])
    out = tmp_path / "out"
    final = run(paths, "123456", H1_2025_END, out, quiet, notebooks=False).folder
    earlier = (final / "manifest.json").read_bytes()

    killed = subprocess.run(
        [sys.executable, "-c", KILL_BETWEEN_RENAMES, str(paths.config), str(paths.complaints), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == 137, killed.stderr
    entity_dir = out / "123456"
    assert not final.exists()  # the state a kill there leaves: the period has no folder...
    olds = [p for p in entity_dir.iterdir() if p.name.startswith(".2025-06-30.old-")]
    assert len(olds) == 1 and (olds[0] / "manifest.json").read_bytes() == earlier  # ...the earlier run is aside
    assert len([p for p in entity_dir.iterdir() if p.name.startswith(".2025-06-30.staging-")]) == 1

    # The next run fails validation, yet first restores the earlier run and removes what the killed one left.
    bad = ws.paths([complaint("C1", "2025-02-03", "2025-01-01", "upheld")])  # closed before received
    lines: list[str] = []
    with pytest.raises(ValidationFailed):
        run(bad, "123456", H1_2025_END, out, lines.append, notebooks=False)
    assert (final / "manifest.json").read_bytes() == earlier
    assert (entity_dir / "2025-06-30.failed" / "validation" / "errors.csv").is_file()
    assert hidden(entity_dir) == [".2025-06-30.lock"]
    assert any(line.endswith(f"restored {final} (a run was stopped while replacing it)") for line in lines)
    assert any(line.endswith("removed 1 unfinished folder(s) left by a stopped run of 2025-06-30") for line in lines)


def test_a_failure_between_the_two_renames_puts_the_earlier_run_back_at_once(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    final = run(paths, "123456", H1_2025_END, tmp_path, quiet, notebooks=False).folder
    earlier = (final / "manifest.json").read_bytes()
    real_rename = Path.rename

    def failing_rename(self: Path, target) -> Path:
        if Path(target).name == "2025-06-30" and ".staging-" in self.name:
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError, match="No space left"):
        run(paths, "123456", H1_2025_END, tmp_path, quiet, notebooks=False)
    assert (final / "manifest.json").read_bytes() == earlier  # never a moment's gap left behind
    assert hidden(tmp_path / "123456") == [".2025-06-30.lock"]


def test_recovery_removes_stale_staging_and_leaves_other_periods_alone(ws, tmp_path) -> None:
    entity_dir = tmp_path / "123456"
    for name in (".2025-06-30.staging-dead0001", ".2025-06-30.old-dead0002", ".2024-12-31.staging-other001"):
        (entity_dir / name / "returns").mkdir(parents=True)
    paths = ws.paths([complaint("C1", "2025-02-03")])
    outcome = run(paths, "123456", H1_2025_END, tmp_path, quiet, notebooks=False)
    assert (outcome.folder / "manifest.json").is_file()
    assert hidden(entity_dir) == [".2024-12-31.staging-other001", ".2025-06-30.lock"]


# --------------------------------------------------------------------------- interrupts and killed runs


def test_an_interrupt_exits_130_with_one_line_and_restores_the_handlers(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])

    def interrupted_run(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler raises before this ends
        raise AssertionError("not interrupted")

    monkeypatch.setattr(run_module, "run", interrupted_run)
    monkeypatch.setattr(cli.os, "_exit", sys.exit)  # the CLI exits at once; here that must not end pytest
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(cli.main, [str(a) for a in run_args(paths, tmp_path)])
    assert result.exit_code == 130
    assert result.output.strip().splitlines()[-1] == (
        "error: interrupted by SIGINT; stopped, and an unfinished run's folder removed (earlier outputs are untouched)"
    )
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def sample_command(out: Path) -> list[str]:
    paths = sample_paths()
    return [
        sys.executable, "-m", "reportkit.cli", "run", "--config", str(paths.config), "--entity", "sample-group",
        "--period-end", "2025-12-31", "--complaints", str(paths.complaints), "--redress", str(paths.redress),
        "--context", str(paths.context), "--out", str(out),
    ]  # fmt: skip


def kernels_running(process: psutil.Process, staging_in: Path, timeout: float = 240) -> list[psutil.Process]:
    """Wait until `process` has notebook kernels running below it and its staging folder exists in `staging_in`;
    returns every process below it. Spare kernels start before the run stages anything, so both are waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.is_running() and process.status() != psutil.STATUS_ZOMBIE, "the run ended before notebooks"
        below = process.children(recursive=True)
        staged = staging_in.is_dir() and any(".staging-" in p.name for p in staging_in.iterdir())
        if staged and any("ipykernel" in " ".join(_cmdline(p)) for p in below):
            return below
        time.sleep(0.2)
    raise AssertionError("no notebook kernel started")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def gone_within(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """The processes still alive after `seconds`."""
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_run_leaves_no_worker_or_kernel_and_the_next_run_cleans_up(tmp_path, stop) -> None:
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with open(log, "w") as stderr_file:  # a file, not a pipe: an orphaned worker holding a pipe would hang the test
        child = subprocess.Popen(sample_command(out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr_file)
    below: list[psutil.Process] = []
    try:
        below = kernels_running(psutil.Process(child.pid), out / "sample-group")
        assert len(below) >= 2  # workers and their kernels
        child.send_signal(stop)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the stopped run did not end: {log.read_text()[-2000:]}") from None
        left = gone_within(below, 15)
    finally:
        for process in [child, *below]:  # whatever happens, this test leaves nothing running
            try:
                process.kill()
            except (psutil.Error, ProcessLookupError):
                pass
    assert left == []  # never a worker or a kernel of the stopped run
    stderr = log.read_text()
    entity_dir = out / "sample-group"
    if stop == signal.SIGTERM:
        assert child.returncode == 143
        assert stderr.strip().splitlines()[-1] == (
            "error: interrupted by SIGTERM; stopped, and an unfinished run's folder removed "
            "(earlier outputs are untouched)"
        )
        assert "Traceback" not in stderr
        assert hidden(entity_dir) == [".2025-12-31.lock"]  # staging removed on the way out
        assert hidden(out) == []  # and the kernels' own files (reportkit.kernel_home)
    else:
        assert child.returncode == -signal.SIGKILL
        assert [p for p in hidden(entity_dir) if ".staging-" in p]  # a kill leaves its staging...
        assert [p for p in hidden(out) if p.startswith(KERNEL_HOME_PREFIX)]  # ...and its kernel home
    assert not (entity_dir / "2025-12-31").exists()

    lines: list[str] = []
    outcome = run(sample_paths(), "sample-group", dt.date(2025, 12, 31), out, lines.append, notebooks=False)
    assert (outcome.folder / "manifest.json").is_file()
    assert hidden(entity_dir) == [".2025-12-31.lock"]  # ...which the next run removes
    assert hidden(out) == []


# --------------------------------------------------------------------------- hash what was read


def test_inputs_are_hashed_from_the_bytes_that_were_parsed(ws, tmp_path, monkeypatch) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03", "2025-02-10", "upheld")])
    read = {role: path.read_bytes() for role, path in paths.files().items()}
    from reportkit import pipeline

    real_validate = pipeline.validate_inputs

    def replace_files_then_validate(text, config):
        # Both files are replaced after they were read: the run goes on with what it read.
        paths.complaints.write_bytes(read["complaints"] + b"C2,123456,2025-03-03,,,current_accounts,delays\n")
        paths.config.write_text(paths.config.read_text() + "\n# edited meanwhile\n")
        return real_validate(text, config)

    monkeypatch.setattr(pipeline, "validate_inputs", replace_files_then_validate)
    folder = run(paths, "123456", H1_2025_END, tmp_path / "out", quiet, notebooks=False).folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    _, sheet_inputs, _ = run_sheet(openpyxl.load_workbook(workbook_of(folder)))
    for role in ("config", "complaints"):
        as_read = hashlib.sha256(read[role]).hexdigest()
        assert as_read != hashlib.sha256(paths.files()[role].read_bytes()).hexdigest()  # the file did change
        assert manifest["inputs"][role]["sha256"] == as_read
        assert manifest["inputs"][role]["bytes"] == len(read[role])
        assert sheet_inputs[role][2] == as_read
    assert json.loads((folder / "returns" / "annex1.json").read_text())["header"]["opened"] == 1  # the old file


def test_the_configuration_and_every_format_carry_the_hash_of_their_bytes(ws, tmp_path) -> None:
    from reportkit.config import load_config
    from reportkit.extract import read_complaints

    paths = ws.paths([complaint("C1", "2025-02-03")], firms=[FIRM])
    config = load_config(paths.config)
    data = paths.config.read_bytes()
    assert (config.sha256, config.size) == (hashlib.sha256(data).hexdigest(), len(data))
    parquet = tmp_path / "complaints.parquet"
    import pandas as pd

    pd.read_csv(paths.complaints, dtype=str).to_parquet(parquet)
    for path in (paths.complaints, parquet):
        frame = read_complaints(path)
        assert frame.attrs["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert frame.attrs["bytes"] == path.stat().st_size
    config_read, text = api.read_inputs(paths)
    assert (
        api.inputs_as_read(paths, config_read, text)["complaints"].sha256
        == hashlib.sha256(paths.complaints.read_bytes()).hexdigest()
    )


@pytest.mark.parametrize("in_the_way", ["123456", "123456/2025-06-30"])
def test_a_file_where_the_run_folder_goes_is_an_environment_error_and_is_left_alone(ws, tmp_path, in_the_way) -> None:
    paths = ws.paths([complaint("C1", "2025-02-03")])
    out = tmp_path / "out"
    (out / in_the_way).parent.mkdir(parents=True, exist_ok=True)
    (out / in_the_way).write_text("someone's file")
    before = tree(out)
    with pytest.raises(EnvironmentProblem, match=r"is a file, where the run's folder should be; move it away"):
        run(paths, "123456", H1_2025_END, out, quiet, notebooks=False)
    assert tree(out) == before and (out / in_the_way).read_text() == "someone's file"


def test_an_interrupt_while_returns_are_written_cancels_the_lineage_writes_not_begun(tmp_path, monkeypatch) -> None:
    """Lineage Parquet is written by a background thread (runner.write_returns). An interrupt in the run's own
    thread cancels the writes still queued and waits only for the one under way, so it takes effect at once and
    nothing writes into the staging folder afterwards."""
    started, finished = [], []

    def slow_write(lineage, base: Path) -> None:
        started.append(base.name)
        threading.Event().wait(1.0)  # a market-sized lineage takes about this long
        finished.append(base.name)

    monkeypatch.setattr(run_module, "write_lineage", slow_write)
    lineage = pd.DataFrame([["annex1", "A1", "current_accounts", "opened", FIRM, "C1"]], columns=LINEAGE_COLUMNS)
    results = [ReturnResult({"return": "annex1", "nil_return": False}, lineage, stem=f"annex1--{n}") for n in range(4)]
    handed_over = []

    def alongside(result: ReturnResult) -> None:
        if result.stem == "annex1--2":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_module.write_returns(
            results, tmp_path, FIRM, H1_2025_END, None, alongside=alongside, written=lambda r: handed_over.append(r)
        )
    assert started == finished == ["annex1--0"]  # 1 and 2 were queued behind it and never began
    assert handed_over == []  # no page is handed over before its lineage is written
