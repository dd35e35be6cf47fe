"""`reportkit run`: load -> validate -> classify -> build returns -> write -> notebooks -> render -> manifest.

Everything is built in a staging folder beside the final one and moved into place only when every
step succeeded, so a failed run leaves no partial returns/ and never touches an earlier run's outputs.
A failed run's evidence (validation/, notebooks/) is kept: in the period's folder when no earlier
successful run lives there, otherwise in `<period-end>.failed/` beside it.

Publishing is exclusive and crash-safe. One run of an entity and period at a time holds
`<entity>/.<period-end>.lock` (filelock; the operating system releases it when the process dies, so a killed
run never leaves it held); a second run waits for it, saying so, and gives up after LOCK_WAIT_SECONDS (exit 4).
Under the lock every run first recovers from a run killed while publishing: the previous folder is restored
when a kill fell between the two renames of the swap, and stale staging folders are removed. Every folder a run
writes, moves or deletes is checked to lie inside --out (`inside`), and the names it is built from must be
plain names (SAFE_NAME), so no id can reach outside --out.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout
from tqdm import tqdm

from reportkit import notebooks as notebook_templates
from reportkit import pipeline, schedule
from reportkit.calendar import Period, regime
from reportkit.errors import (
    EnvironmentProblem,
    InputError,
    NotebookFailed,
    ReportkitError,
    RunLocked,
    ValidationFailed,
)
from reportkit.kernel_home import kernel_home, new_kernel_home, point_kernels_at, remove_stale_homes
from reportkit.manifest import build_manifest
from reportkit.mapping import Mapping, with_exported_values
from reportkit.measures import redress_basis_statement
from reportkit.notebooks import execute, render_html
from reportkit.processes import become_child_of
from reportkit.returns import RETURNS
from reportkit.returns.common import ReturnResult
from reportkit.review import FactsWritten, write_return_facts, write_run_document
from reportkit.review_page import write_index
from reportkit.runinfo import FirmFacts, InputRead, RunInfo, describe_run
from reportkit.safecsv import write_safe_csv
from reportkit.settings import print_settings
from reportkit.tieouts import check_tieouts
from reportkit.validation.report import PERSONAL_DATA_COLUMNS
from reportkit.validation.suites import warm_up
from reportkit.views import write_drilldown_page
from reportkit.workbook import write_workbook

Progress = Callable[[str], None]
T = TypeVar("T")

VALIDATION_NOTEBOOK = "validation.ipynb"


@dataclass
class RunOutcome:
    folder: Path
    produced: list[str] = field(default_factory=list)
    skipped: list[schedule.Skipped] = field(default_factory=list)
    warnings: int = 0
    notes: dict[str, str] = field(default_factory=dict)
    """Stem -> why its period is shorter than its ARD-based length (the 2027 boundary); only stems with a note."""
    redress_basis: str = ""
    """The redress basis used and the configuration key that changes it (docs/rules.md "Redress")."""


def who_ran() -> dict[str, str]:
    """The user and host of this execution (never in an output but manifest.json and html/index.html)."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = "unknown"
    return {"user": user, "host": socket.gethostname()}


def now_utc() -> str:
    """The time now, UTC, to the second (the manifest's started/finished)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file name that is not UTF-8 (the manifest's input paths) is written as a JSON escape (\udce9), which
    # reads back as the same name.
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", errors="backslashreplace")


class Steps:
    """Prints each step with its duration, so long steps show progress."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        self.progress(f"[{time.perf_counter() - self.started:6.1f}s] {message}")


# --------------------------------------------------------------------------- where a run writes

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""An entity or group id, FRN or file stem that becomes part of an output path: letters, digits, `.`, `_`, `-`,
not starting with a dot (so never `..`, a hidden name, a path separator or an absolute path)."""


def safe_name(value: str, what: str) -> str:
    """`value` when it may name an output folder or file (SAFE_NAME); InputError otherwise."""
    if not SAFE_NAME.fullmatch(str(value)):
        raise InputError(
            f"{what} {str(value)[:60]!r} cannot name an output folder or file: expected letters, digits, '.', '_' "
            "or '-', not starting with '.'; rename it in the configuration or give another --entity"
        )
    return value


def inside(out: Path, path: Path) -> Path:
    """`path`, refused unless it resolves to a place inside the `out` folder (symbolic links followed).

    Raises:
        InputError: `path` lies outside `out`; nothing has been written there.
    """
    root, resolved = out.resolve(), path.resolve()
    if root not in resolved.parents:
        raise InputError(f"refusing to write {path}: it lies outside the --out folder {out}; use plain ids")
    return path


@dataclass(frozen=True)
class RunFolders:
    """The folders a run of one entity and period writes, moves or deletes, each checked to lie inside --out."""

    out: Path
    entity: str
    period: str
    """The period end, YYYY-MM-DD."""

    @classmethod
    def of(cls, out: Path, entity: str, period_end: dt.date) -> "RunFolders":
        """The run's folders; raises InputError for an entity that is no plain name, before anything is written."""
        folders = cls(out, safe_name(entity, "entity"), period_end.isoformat())
        for folder in (folders.final, folders.entity_dir):  # also checks the period folder lies inside --out
            if folder.exists() and not folder.is_dir():
                raise EnvironmentProblem(
                    f"{folder} is a file, where the run's folder should be; move it away or give another --out"
                )
        return folders

    def _at(self, name: str) -> Path:
        return inside(self.out, self.out / self.entity / safe_name(name, "output folder"))

    @property
    def entity_dir(self) -> Path:
        return inside(self.out, self.out / self.entity)

    @property
    def final(self) -> Path:
        return self._at(self.period)

    @property
    def failed(self) -> Path:
        """A failed run's evidence when an earlier successful run holds the period's folder."""
        return self._at(f"{self.period}.failed")

    @property
    def lock(self) -> Path:
        return inside(self.out, self.entity_dir / f".{self.period}.lock")

    def new_staging(self) -> Path:
        """A fresh hidden folder beside the final one, where this run builds everything."""
        return inside(self.out, self.entity_dir / f".{self.period}.staging-{uuid.uuid4().hex[:8]}")

    def previous(self) -> Path:
        """A fresh hidden name the previous run's folder moves to while the new one takes its place."""
        return inside(self.out, self.entity_dir / f".{self.period}.old-{uuid.uuid4().hex[:8]}")

    def leftovers(self, kind: str) -> list[Path]:
        """Hidden folders of this period left by a killed run: kind "staging" or "old"."""
        if not self.entity_dir.is_dir():
            return []
        return sorted(inside(self.out, p) for p in self.entity_dir.glob(f".{self.period}.{kind}-*") if p.is_dir())


def evidence_folder(folders: RunFolders) -> Path:
    """Where a failed run's evidence goes: the period's folder, unless an earlier successful run is there."""
    return folders.final if not (folders.final / "manifest.json").exists() else folders.failed


# --------------------------------------------------------------------------- one run at a time, crash-safe

LOCK_WAIT_SECONDS = 900.0
"""How long a run waits for another run of the same entity and period to finish (a full run with notebooks
takes minutes) before it gives up with exit 4."""


@contextmanager
def period_lock(folders: RunFolders, step: Progress) -> Iterator[None]:
    """Hold the entity-and-period lock for the block; waits (saying so) while another run holds it.

    Raises:
        RunLocked: the other run still holds it after LOCK_WAIT_SECONDS.
    """
    folders.entity_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folders.lock)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        step(
            f"waiting for another run of {folders.entity} for {folders.period} to finish "
            f"(up to {LOCK_WAIT_SECONDS:.0f}s; it holds {folders.lock})"
        )
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise RunLocked(
                f"another run of {folders.entity} for {folders.period} still holds {folders.lock} after "
                f"{LOCK_WAIT_SECONDS:.0f}s; let it finish (or stop it) and run again"
            ) from None
    try:
        yield
    finally:
        lock.release()


def recover(folders: RunFolders, step: Progress) -> None:
    """Undo what a run killed while publishing left behind (call under the period lock, so no run is live).

    A kill between the two renames of `publish` leaves the period without its folder and the previous run in a
    hidden `.<period>.old-*` folder: that folder is moved back. Stale `.old-*` and `.staging-*` folders go.
    """
    olds = folders.leftovers("old")
    if olds and not folders.final.exists():
        restored = max(
            olds, key=lambda p: (p / "manifest.json").stat().st_mtime if (p / "manifest.json").exists() else 0
        )
        restored.rename(folders.final)
        olds.remove(restored)
        step(f"restored {folders.final} (a run was stopped while replacing it)")
    stale = olds + folders.leftovers("staging")
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    if stale:
        step(f"removed {len(stale)} unfinished folder(s) left by a stopped run of {folders.period}")


def _publish(staging: Path, folders: RunFolders) -> None:
    """Swap the finished staging folder into place; an earlier run of the same period is replaced whole.

    Two renames: the earlier folder aside, the new one in. A failure or interrupt between them moves the
    earlier folder back at once; a kill there is undone by the next run's `recover`.
    """
    final, old = folders.final, None
    if final.exists():
        old = folders.previous()
        final.rename(old)
    try:
        staging.rename(final)
    except BaseException:
        if old is not None and not final.exists():
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _keep_evidence(staging: Path, folders: RunFolders) -> Path:
    """Move a failed run's validation/ and notebooks/ where the user can find them; returns the folder."""
    final = folders.final
    target = evidence_folder(folders)
    if target.exists() and target != final:
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for part in ("validation", "notebooks"):
        if (staging / part).exists():
            if (target / part).exists():
                shutil.rmtree(target / part)
            shutil.move(str(staging / part), str(target / part))
    return target


def build_and_publish(folders: RunFolders, step: Progress, build: Callable[[Path], T]) -> T:
    """Every command that writes a run folder goes through here: under the period's lock, clear what a stopped
    run left, `build(staging)` in a new staging folder, then swap it into place. When `build` raises a
    ReportkitError the failed run's evidence (validation/, notebooks/) is kept beside the outputs and nothing
    else of it remains; earlier outputs are never touched until the swap."""
    with period_lock(folders, step):
        recover(folders, step)
        staging = folders.new_staging()
        staging.mkdir(parents=True)
        try:
            outcome = build(staging)
            _publish(staging, folders)
            step(f"done: {folders.final}")
            return outcome
        except ReportkitError as exc:
            evidence = _keep_evidence(staging, folders)
            step(f"failed; evidence kept in {evidence}")
            if isinstance(exc, NotebookFailed):
                raise NotebookFailed(str(exc).replace(str(staging), str(evidence))) from None
            raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def regime_of(result: ReturnResult) -> str:
    """current or consolidated (calendar.regime), for the period of a built return."""
    period = result.document["period"]
    return regime(Period(dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])))


def sheet_name(result: ReturnResult) -> str:
    """The workbook sheet of a return: "Annex 1", or e.g. "Annex 1 nil 234567" / "Annex 1C 234567" in a group run."""
    base = RETURNS[result.code].sheet
    suffix = result.stem[len(result.code) :].lstrip("-").replace("nil-", "nil ")
    return f"{base} {suffix}".strip()[:31]


NotebookJob = tuple[str, str, str | None]
"""(notebook file, output stem, return stem) of one page."""

VALIDATION_JOB: NotebookJob = (VALIDATION_NOTEBOOK, "validation", None)


def return_job(result: ReturnResult) -> NotebookJob | None:
    """The page of a return, or None for a nil return (its figures are all zero; the review page lists it)."""
    return None if result.document["nil_return"] else (RETURNS[result.code].notebook, result.stem, result.stem)


def notebook_jobs(results: list[ReturnResult]) -> list[NotebookJob]:
    """The validation page, then the page of every non-nil return."""
    return [VALIDATION_JOB, *[job for r in results if (job := return_job(r)) is not None]]


def _execute_and_render(
    notebook: str, stem: str, folder: str, parameters: dict, templates: str, in_worker: bool = False, more: bool = False
) -> str:
    """Run one notebook of the `templates` folder and render it (a top-level function, so notebooks can run in
    worker processes, which are started fresh and so are told where the templates are). In a worker, the
    notebook uses the worker's spare kernel and, when `more` notebooks wait to be run, the next spare kernel
    starts while this page renders."""
    output = Path(folder) / "notebooks" / f"{stem}.ipynb"
    kernel = notebook_templates.take_spare_kernel(output.parent) if in_worker else None
    executed = execute(notebook, output, parameters, Path(templates), kernel)
    if in_worker and more:
        notebook_templates.start_spare_kernel()
    render_html(executed, Path(folder) / "html" / f"{stem}.html")
    return stem


def _start_worker(parent: int, home: str) -> None:
    """Initializer of a notebook worker: it dies with its parent and leaves SIGINT/SIGTERM handling to it (a
    forked worker inherits the CLI's handlers, which would turn a stop into an exception inside the worker);
    its kernels keep their own files in the run's kernel home (reportkit.kernel_home)."""
    become_child_of(parent)
    point_kernels_at(Path(home))
    os.nice(WORKER_NICENESS)  # inherited by the worker's kernels


WORKER_NICENESS = 5
"""How much lower than the run's own process the notebook workers and their kernels are scheduled. Their
start-up (imports, a spare kernel each) overlaps the parent's import of great-expectations and its validation,
which every later step waits for; on a machine with fewer free cores than processes it would otherwise take
its share of the parent's core. A worker is only ever waited for once it has a notebook, and then nothing else
competes with it."""


def _stop_workers(pool) -> None:
    """Stop a pool's workers and their notebook kernels now (the run was interrupted): queued notebooks are
    cancelled, running ones killed, before the staging folder the kernels work in is removed."""

    workers = [psutil.Process(p.pid) for p in (getattr(pool, "_processes", None) or {}).values() if p.pid]
    pool.shutdown(wait=False, cancel_futures=True)
    processes = []
    for worker in workers:
        try:
            processes += [*worker.children(recursive=True), worker]
        except psutil.NoSuchProcess:
            continue
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    # Let the pool's manager thread see its workers gone and close its pipes now: left running, it races the
    # interpreter's exit, which then prints a traceback ("Bad file descriptor") after our one-line error.
    pool.shutdown(wait=True)


def write_lineage(lineage: pd.DataFrame, base: Path) -> None:
    """lineage/<stem>.parquet: Parquet keeps a market-sized lineage small and quick to write."""
    base.parent.mkdir(parents=True, exist_ok=True)
    # preserve_index=False: the frame is written as it is, without a copy to reset its index.
    table = pa.Table.from_pandas(lineage, preserve_index=False)
    pq.write_table(table, base.with_suffix(".parquet"), compression="zstd")


def write_lineage_csv(lineage: pd.DataFrame, base: Path) -> None:
    """lineage/<stem>.csv, on request, for auditors who open it in a spreadsheet (formulas neutralised,
    reportkit.safecsv)."""
    base.parent.mkdir(parents=True, exist_ok=True)
    write_safe_csv(lineage, base.with_suffix(".csv"))


def _warm_up_worker() -> None:
    """Import what executing and rendering a notebook needs, so a worker started at the beginning of a run has
    done its start-up while the parent reads and validates the inputs."""
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    import reportkit.notebooks

    reportkit.notebooks.start_spare_kernel()  # its start-up and imports overlap reading and validation too


def notebook_pool(home: Path) -> ProcessPoolExecutor:
    """Two notebook workers, forked now, at the start of the run, and warmed up (_warm_up_worker).

    Forked before anything is read, a worker carries none of the extract or the returns (gigabytes on a
    market-sized run; notebooks read the run folder) and costs no second start of Python, as a spawned one would;
    forked before any thread starts (the validation helper is a process, forked just before), it inherits no
    thread. Its start-up overlaps reading and validation. Its kernels keep their own files in `home`.
    """
    pool = ProcessPoolExecutor(
        max_workers=2,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(), str(home)),
    )
    for _ in range(2):
        pool.submit(_warm_up_worker)
    return pool


@contextmanager
def notebook_workers(enabled: bool, out: Path) -> Iterator[ProcessPoolExecutor | None]:
    """The run's notebook workers (None without notebooks), started at once so that their start-up overlaps
    reading and validation, their kernels' own files in a kernel home inside `out`. On an error in a notebook
    the others finish (NotebookRuns.finish); on an interrupt (SIGINT/SIGTERM, reportkit.errors.Interrupted)
    they and their kernels are stopped at once. On any failure the pool is stopped without waiting for
    warm-ups: a bad configuration is reported at once. The kernel home goes once the workers have stopped."""
    if out.is_dir():
        remove_stale_homes(out)  # a killed run's, with or without notebooks now
    if not enabled:
        yield None
        return
    with ExitStack() as stack:
        try:
            home = stack.enter_context(new_kernel_home(out))
        except OSError:  # --out cannot be written: the run says so in its own words when it makes its folder
            yield None
            return
        pool = notebook_pool(home)
        try:
            yield pool
        except BaseException:
            _stop_workers(pool)  # notebooks that failed have finished (NotebookRuns.finish waits); warm-ups need not
            raise
        pool.shutdown(wait=True)


def write_drilldown_pages(staging: Path, results: list[ReturnResult]) -> None:
    """html/<stem>-cells.html: the complaints behind each counted cell, that the return pages link to."""
    for result in results:
        write_drilldown_page(staging, result.stem)


class NotebookRuns:
    """The run's notebooks, each handed to the workers as soon as what it reads is written (the validation
    page needs only validation/ and run.json, so it runs while the returns are written; a return's page needs
    its own return, lineage and facts), then waited for together. Without a pool they run one after another
    in this process, in `finish`."""

    def __init__(
        self, staging: Path, parameters: dict, step: Progress, pool: ProcessPoolExecutor | None, total: int
    ) -> None:
        self.staging, self.parameters, self.step, self.pool, self.total = staging, parameters, step, pool, total
        self.calls: list[tuple] = []
        self.futures: list = []

    def submit(self, jobs: list[tuple[str, str, str | None]]) -> None:
        templates = str(notebook_templates.NOTEBOOKS_DIR)
        for nb, stem, ret in jobs:
            call = (
                nb,
                safe_name(stem, "notebook"),
                str(self.staging),
                {**self.parameters, **({"return_stem": ret} if ret else {})},
                templates,
            )
            index = len(self.calls)
            self.calls.append(call)
            if self.pool is not None:
                # Two workers take the notebooks in turn: while two or more are still to start after this one,
                # the worker that finishes it will very likely take another, so it starts that one's kernel early.
                more = index < self.total - 2
                self.futures.append(self.pool.submit(_execute_and_render, *call, in_worker=True, more=more))

    def stop(self) -> None:
        """The run failed while pages were still being handed over: stop the workers and their kernels now,
        so that nothing more is written into the staging folder (it is removed or kept as evidence next)."""
        if self.pool is not None and self.futures:
            _stop_workers(self.pool)

    def finish(self, meanwhile: Callable[[], None] | None = None) -> None:
        """Wait for every notebook (one progress line each); `meanwhile` is done in this process first, while
        the workers run them. A failing notebook lets the others finish, so their executed copies are kept
        as evidence."""
        self.step(f"executing and rendering {len(self.calls)} notebook(s) with papermill and nbconvert")
        if self.pool is None:
            if meanwhile is not None:
                meanwhile()
            with kernel_home(self.staging.parent.parent):  # in --out (staging is <out>/<entity>/.<name>.staging-*)
                for call in self.calls:
                    self.step(f"  notebooks/{call[1]}.ipynb -> html/{_execute_and_render(*call)}.html")
            return
        # A bar on a terminal only (disable=None): logs and CI keep the one line per notebook.
        bar = tqdm(total=len(self.calls), desc="notebooks", unit="notebook", disable=None, leave=False, file=sys.stderr)
        try:
            if meanwhile is not None:
                meanwhile()
            for future in self.futures:
                stem = future.result()
                bar.update()
                self.step(f"  html/{stem}.html")
        except Exception:
            wait(self.futures)  # the others finish: their executed notebooks are evidence
            raise
        except BaseException:
            _stop_workers(self.pool)  # an interrupt: kernels stop before the staging folder they work in goes
            raise
        finally:
            bar.close()


def run_notebooks(
    jobs: list[tuple[str, str, str | None]],
    staging: Path,
    parameters: dict,
    step: Progress,
    pool: ProcessPoolExecutor | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Execute and render `jobs` at once (NotebookRuns: submit all, then finish), in the workers of `pool` or,
    without one, one after another in this process."""
    runs = NotebookRuns(staging, parameters, step, pool, len(jobs))
    runs.submit(jobs)
    runs.finish(meanwhile)


def run_facts(
    read: dict[str, InputRead],
    rows: dict[str, int],
    config,
    entity: str,
    period_end: dt.date,
    results: list[ReturnResult],
    notebooks: bool,
    mapping: Mapping | None = None,
    sheet: str | None = None,
) -> RunInfo:
    """The run id and the run's facts (reportkit.runinfo): inputs by name, rows and the hash of the bytes read
    (the mapping among them); firms; periods; regimes; the mapping's contents and the sheet read, when given."""
    frns = dict.fromkeys(frn for r in results for frn in r.document["firms"])
    return describe_run(
        files=read,
        rows=rows,
        entity=entity,
        entity_name=config.groups[entity].name if entity in config.groups else config.firms[entity].name,
        period_end=period_end,
        options={"notebooks": notebooks, **({"sheet": sheet} if sheet is not None else {})},
        firms=[FirmFacts(frn, config.firms[frn].name, config.firms[frn].business_days) for frn in frns],
        periods=[(r.document["period"]["start"], r.document["period"]["end"]) for r in results],
        regimes=[regime_of(r) for r in results],
        mapping_text=mapping.text if mapping is not None else None,
    )


def write_returns(
    results: list[ReturnResult],
    staging: Path,
    entity: str,
    period_end: dt.date,
    config,
    run: RunInfo | None = None,
    lineage_csv: bool = False,
    exported_from: pd.DataFrame | None = None,
    alongside: Callable[[ReturnResult], None] = lambda result: None,
    written: Callable[[ReturnResult], None] = lambda result: None,
) -> None:
    """returns/<stem>.json for every return and the files its registry entry adds (the 1B page and CSV),
    lineage/<stem>.parquet (and .csv with `lineage_csv`), and one workbook for all.

    A return's lineage Parquet is written by a background thread (its encoding lets go of the interpreter) while
    this thread carries on with `alongside` and the next return: on a market-sized run Annex 1's 4 million
    lineage rows are encoded while its complaint facts are worked out. On an interrupt or an error, writes not
    yet begun are cancelled and the one under way (a second or less) is waited for, so nothing writes into the
    staging folder once this returns; the CSV export, slow and Python-bound, is written here, where an interrupt
    stops it at once.

    Args:
        exported_from: the classified complaints of an export read through a mapping: the lineage then gives
            each complaint's values as exported beside the codes they became (mapping.with_exported_values).
        alongside: called with each return once its JSON is written, while its lineage is (the run writes the
            facts its page reads).
        written: called with each return, in order, once its files are all written, `alongside` included (the
            run hands its page to the notebook workers, which start on it while the rest is written).
    """
    lineage_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reportkit-lineage")
    try:
        waiting: list[tuple[Future | None, ReturnResult]] = []  # returns whose lineage is still being written
        for result in results:
            safe_name(result.stem, "return")
            write_json(staging / "returns" / f"{result.stem}.json", result.document)
            for write in RETURNS[result.code].outputs:
                write(
                    result.document, staging / "returns" / result.stem, schedule.document_note(config, result.document)
                )
            lineage_written = None
            if len(result.lineage):
                lineage = result.lineage
                if exported_from is not None:
                    lineage = with_exported_values(lineage, exported_from, PERSONAL_DATA_COLUMNS)
                base = staging / "lineage" / result.stem
                lineage_written = lineage_writer.submit(write_lineage, lineage, base)
                if lineage_csv:
                    write_lineage_csv(lineage, base)
            alongside(result)
            waiting.append((lineage_written, result))
            waiting = _hand_over_written(waiting, written, wait_for_all=False)
        if results:
            write_workbook(
                staging / "returns" / f"{entity}-{period_end.isoformat()}.xlsx",
                [(sheet_name(r), r) for r in results],
                config,
                run,
            )
        _hand_over_written(waiting, written, wait_for_all=True)
    except BaseException:
        lineage_writer.shutdown(wait=True, cancel_futures=True)
        raise
    lineage_writer.shutdown(wait=True)


def _hand_over_written(
    waiting: list[tuple[Future | None, ReturnResult]], written: Callable[[ReturnResult], None], wait_for_all: bool
) -> list[tuple[Future | None, ReturnResult]]:
    """Call `written` for the returns at the head of `waiting` whose lineage is written (all of them, waiting
    for each, with `wait_for_all`), in order, so the pages are handed over in the returns' order; a failed
    write raises here. Returns those still waiting."""
    while waiting and (wait_for_all or waiting[0][0] is None or waiting[0][0].done()):
        lineage_written, result = waiting.pop(0)
        if lineage_written is not None:
            lineage_written.result()
        written(result)
    return waiting


def run(
    paths: pipeline.InputPaths,
    entity: str,
    period_end: dt.date,
    out: Path,
    progress: Progress = print,
    notebooks: bool = True,
    lineage_csv: bool = False,
) -> RunOutcome:
    """Produce every return `entity` owes for the period ending `period_end` into out/<entity>/<period-end>/.

    Args:
        lineage_csv: also write lineage/<stem>.csv (spreadsheet formulas neutralised) beside the Parquet.

    Raises:
        InputError: unreadable input, bad configuration, unknown entity or one that is no plain name, or a date
            that ends no period.
        ValidationFailed: the extract has errors (written to validation/errors.csv).
        NotebookFailed: a notebook raised (its executed copy is kept).
        RunLocked: another run of the same entity and period kept the lock for LOCK_WAIT_SECONDS.
    """
    step = Steps(progress)
    started = now_utc()
    folders = RunFolders.of(out, entity, period_end)  # a traversal id is refused before anything is written
    warm_up()  # the validation helper first, forked before the notebook workers start any thread
    with notebook_workers(notebooks, out) as pool:  # started now: their start-up overlaps reading and validation
        return _run_in(paths, folders, pool, notebooks, lineage_csv, started, step, progress)


def _run_in(
    paths: pipeline.InputPaths,
    folders: RunFolders,
    pool: ProcessPoolExecutor | None,
    notebooks: bool,
    lineage_csv: bool,
    started: str,
    step: Progress,
    progress: Progress,
) -> RunOutcome:
    """Read, then build and publish under the period lock (run's body, with its notebook workers)."""
    entity, period_end = folders.entity, dt.date.fromisoformat(folders.period)
    begun = pipeline.start(paths, entity, period_end)  # unknown entity, mixed ARDs, wrong date: fail early
    print_settings(begun.config, begun.text, entity, progress)  # what every figure depends on, before any figure
    step(f"read {begun.rows_read['complaints']:,} complaints from {paths.complaints.name}")
    if (skipped_rows := begun.other_firms.line()) is not None:
        step(skipped_rows)
    return build_and_publish(
        folders,
        step,
        lambda staging: _build_in(
            staging, folders, begun, pool if notebooks else None, notebooks, lineage_csv, started, step
        ),
    )


def _build_in(
    staging: Path,
    folders: RunFolders,
    begun: pipeline.Started,
    pool: ProcessPoolExecutor | None,
    notebooks: bool,
    lineage_csv: bool,
    started: str,
    step: Progress,
) -> RunOutcome:
    """Every step of a run after reading, into `staging`: validate, build, write, notebooks, manifest."""
    entity, period_end, config, paths = folders.entity, dt.date.fromisoformat(folders.period), begun.config, begun.paths
    try:
        finished = pipeline.finish(begun, step)
    except ValidationFailed as failed:
        failed.report.write(staging / "validation")
        raise ValidationFailed(
            failed.report, written_to=evidence_folder(folders) / "validation" / "errors.csv"
        ) from None
    report, prepared, built = finished.report, finished.prepared, finished.built
    redress_basis = redress_basis_statement(config.redress_attribution)
    step(redress_basis)
    notes = _report_built(built, config, step)

    warnings = [w for w in [report.warnings, *[r.warnings for r in built.results]] if w is not None and len(w)]
    all_warnings = pd.concat(warnings, ignore_index=True) if warnings else report.warnings
    report.write(staging / "validation")
    write_safe_csv(all_warnings, staging / "validation" / "warnings.csv")

    tie_outs = check_tieouts(
        built.results, prepared.complaints, prepared.redress_lines, prepared.context, config
    )  # a return whose figures disagree is never published (exit 3)
    held, shown = sum(t.must_hold for t in tie_outs), sum(not t.must_hold for t in tie_outs)
    step(f"tie-outs: {held} checked, all hold; {shown} shown for comparison")
    step(f"writing {len(built.results)} return(s), the workbook and lineage")
    info = run_facts(
        begun.read, begun.rows_read, config, entity, period_end, built.results, notebooks, begun.mapping, paths.sheet
    )
    write_run_document(staging, info, config, built.results, prepared.complaints, tie_outs)
    # The notebooks get the run folder relative to notebooks/, where each executes, and read nothing
    # else: no path enters an executed notebook, so a re-run elsewhere reproduces it byte for byte.
    # Each page is handed to the workers as soon as what it reads is written: the validation page now
    # (validation/ and run.json), a return's page once its return, lineage and facts are, while the next
    # return and the workbook are written.
    runs = (
        NotebookRuns(staging, {"run_dir": ".."}, step, pool, len(notebook_jobs(built.results))) if notebooks else None
    )

    facts_written: FactsWritten = {}

    def facts(result: ReturnResult) -> None:
        # What the pages read; a return whose facts another's file already holds copies it (Annex 1B).
        write_return_facts(staging, config, result, prepared.complaints, prepared.redress_lines, facts_written)

    def written(result: ReturnResult) -> None:
        if runs is not None and (job := return_job(result)) is not None:
            runs.submit([job])

    try:
        if runs is not None:
            runs.submit([VALIDATION_JOB])
        write_returns(
            built.results,
            staging,
            entity,
            period_end,
            config,
            info,
            lineage_csv,
            prepared.complaints if begun.mapping is not None else None,
            facts,
            written,
        )
    except BaseException:
        if runs is not None:
            runs.stop()  # before the staging folder the pages are being written into is removed
        raise
    parameters = run_parameters(paths, entity, period_end)
    if runs is not None:
        runs.finish(meanwhile=lambda: write_drilldown_pages(staging, built.results))

    manifest = build_manifest(
        inputs=begun.read,
        parameters=parameters,
        started=started,
        finished=now_utc(),
        produced=[r.stem for r in built.results],
        skipped=[{"return": s.stem, "reason": s.reason} for s in built.skipped],
        folder=staging,
    )
    manifest["regimes"] = {r.stem: regime_of(r) for r in built.results}
    manifest["run_id"] = info.run_id  # the id every sheet shows leads here
    manifest["ran_by"] = who_ran()  # facts of this execution: only here and on the review page
    manifest["redress_attribution"] = config.redress_attribution  # the basis the run states
    if begun.mapping is not None:  # how the export became the extract, in full: the auditor's first question
        manifest["mapping"] = mapping_record(begun.mapping)
    write_json(staging / "manifest.json", manifest)
    write_index(staging, manifest)  # the review page: after the manifest, whose sha256 it gives
    return RunOutcome(
        folders.final, [r.stem for r in built.results], built.skipped, len(all_warnings), notes, redress_basis
    )


def run_parameters(paths: pipeline.InputPaths, entity: str, period_end: dt.date) -> dict:
    """The parameters the manifest records and the notebooks receive (absolute input paths); the mapping and
    the sheet only when given, so a run without them records what it always did."""
    parameters = {
        "config": str(paths.config.resolve()),
        "entity": entity,
        "period_end": period_end.isoformat(),
        "complaints": str(paths.complaints.resolve()),
        "redress": str(paths.redress.resolve()) if paths.redress else None,
        "context": str(paths.context.resolve()) if paths.context else None,
    }
    if paths.mapping is not None:
        parameters["mapping"] = str(paths.mapping.resolve())
    if paths.sheet is not None:
        parameters["sheet"] = paths.sheet
    return parameters


def mapping_record(mapping: Mapping) -> dict:
    """The mapping as the manifest records it: where it was read, its sha256 and its contents."""
    return {"path": str(mapping.path), "sha256": mapping.sha256, "text": mapping.text}


def _report_built(built: pipeline.Built, config, step: Progress) -> dict[str, str]:
    """One progress line per return built or skipped; returns stem -> the note on a shortened period."""
    notes = {r.stem: note for r in built.results if (note := schedule.document_note(config, r.document))}
    nil = [r for r in built.results if "--nil-" in r.stem]
    if nil:  # one line for every member's nil return, however many members a group has
        frns = ", ".join(r.stem.split("--nil-")[1] for r in nil)
        codes = ", ".join(dict.fromkeys(r.code for r in nil))
        step(f"  built {len(nil)} member nil return(s) of {codes} (DISP 1.10.1CR) for {frns}")
    for result in built.results:
        if "--nil-" in result.stem:
            continue
        period = result.document["period"]
        note = f": {notes[result.stem]}" if result.stem in notes else ""
        step(f"  built {result.stem} ({period['start']} to {period['end']}){note}")
        if result.warnings is not None and len(result.warnings):
            for message in result.warnings.loc[result.warnings["rule"] == pipeline.REPORTED_JOINTLY, "message"]:
                step(f"  warning: {message}")
    for item in built.skipped:
        step(f"  skipped {item.stem}: {item.reason}")
    return notes
