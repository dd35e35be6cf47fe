"""`reportkit run`: load -> validate -> classify -> build returns -> write -> notebooks -> render -> manifest.

Everything is built in a staging folder beside the final one and moved into place only when every
step succeeded, so a failed run leaves no partial returns/ and never touches an earlier run's outputs.
A failed run's evidence (validation/, notebooks/) is kept: in the period's folder when no earlier
successful run lives there, otherwise in `<period-end>.failed/` beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from reportkit import api, schedule
from reportkit.calendar import Period, regime
from reportkit.errors import NotebookFailed, ReportkitError, ValidationFailed
from reportkit.manifest import build_manifest
from reportkit.measures import redress_basis_statement
from reportkit.notebooks import execute, render_html
from reportkit.publication import write_csv, write_page
from reportkit.returns import RETURNS
from reportkit.returns.common import ReturnResult
from reportkit.review import write_review_data
from reportkit.review_page import write_index
from reportkit.runinfo import FirmFacts, RunInfo, describe_run
from reportkit.safecsv import write_safe_csv
from reportkit.settings import print_settings
from reportkit.tieouts import check_tieouts
from reportkit.validation.validate import validate_inputs
from reportkit.workbook import write_workbook

Progress = Callable[[str], None]

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


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class _Steps:
    """Prints each step with its duration, so long steps show progress."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        self.progress(f"[{time.perf_counter() - self.started:6.1f}s] {message}")


def evidence_folder(final: Path) -> Path:
    """Where a failed run's evidence goes: the period's folder, unless an earlier successful run is there."""
    return final if not (final / "manifest.json").exists() else final.with_name(final.name + ".failed")


def _keep_evidence(staging: Path, final: Path) -> Path:
    """Move a failed run's validation/ and notebooks/ where the user can find them; returns the folder."""
    target = evidence_folder(final)
    if target.exists() and target != final:
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for part in ("validation", "notebooks"):
        if (staging / part).exists():
            if (target / part).exists():
                shutil.rmtree(target / part)
            shutil.move(str(staging / part), str(target / part))
    return target


def _publish(staging: Path, final: Path) -> None:
    """Swap the finished staging folder into place; an earlier run of the same period is replaced whole."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def regime_of(result: ReturnResult) -> str:
    """current or consolidated (calendar.regime), for the period of a built return."""
    period = result.document["period"]
    return regime(Period(dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])))


def sheet_name(result: ReturnResult) -> str:
    """The workbook sheet of a return: "Annex 1", or e.g. "Annex 1 nil 234567" / "Annex 1C 234567" in a group run."""
    base = RETURNS[result.code].sheet
    suffix = result.stem[len(result.code) :].lstrip("-").replace("nil-", "nil ")
    return f"{base} {suffix}".strip()[:31]


def notebook_jobs(results: list[ReturnResult]) -> list[tuple[str, str, str | None]]:
    """(notebook file, output stem, return stem) for validation and every non-nil return."""
    jobs: list[tuple[str, str, str | None]] = [(VALIDATION_NOTEBOOK, "validation", None)]
    jobs += [(RETURNS[r.code].notebook, r.stem, r.stem) for r in results if not r.document["nil_return"]]
    return jobs


def _execute_and_render(notebook: str, stem: str, folder: str, parameters: dict) -> str:
    """Run one notebook and render it (a top-level function, so notebooks can run in worker processes)."""
    executed = execute(notebook, Path(folder) / "notebooks" / f"{stem}.ipynb", parameters)
    render_html(executed, Path(folder) / "html" / f"{stem}.html")
    return stem


def run_notebooks(jobs: list[tuple[str, str, str | None]], staging: Path, parameters: dict, step: Progress) -> None:
    """Execute and render every notebook; several run in parallel worker processes (each its own kernel)."""
    from concurrent.futures import ProcessPoolExecutor

    calls = [
        (nb, stem, str(staging), {**parameters, **({"return_stem": ret} if ret else {})}) for nb, stem, ret in jobs
    ]
    step(f"executing and rendering {len(calls)} notebook(s) with papermill and nbconvert")
    if len(calls) <= 2:
        for call in calls:
            step(f"  notebooks/{call[1]}.ipynb -> html/{_execute_and_render(*call)}.html")
        return
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_execute_and_render, *call) for call in calls]
        for future in futures:
            step(f"  html/{future.result()}.html")


def run_facts(
    paths: api.InputPaths, text, config, entity: str, period_end: dt.date, results: list[ReturnResult], notebooks: bool
) -> RunInfo:
    """The run id and the run's facts (reportkit.runinfo): inputs by name, rows and hash; firms; periods; regimes."""
    rows = {"complaints": len(text.complaints)}
    rows |= {role: len(frame) for role in ("redress", "context") if (frame := getattr(text, role)) is not None}
    frns = dict.fromkeys(frn for r in results for frn in r.document["firms"])
    return describe_run(
        files=paths.files(),
        rows=rows,
        entity=entity,
        entity_name=config.groups[entity].name if entity in config.groups else config.firms[entity].name,
        period_end=period_end,
        options={"notebooks": notebooks},
        firms=[FirmFacts(frn, config.firms[frn].name, config.firms[frn].business_days) for frn in frns],
        periods=[(r.document["period"]["start"], r.document["period"]["end"]) for r in results],
        regimes=[regime_of(r) for r in results],
    )


def write_returns(
    results: list[ReturnResult], staging: Path, entity: str, period_end: dt.date, config, run: RunInfo | None = None
) -> None:
    """returns/<stem>.json for every return, the 1B page and CSV, lineage, and one workbook for all."""
    for result in results:
        write_json(staging / "returns" / f"{result.stem}.json", result.document)
        if result.code == "annex1b":
            write_page(result.document, staging / "returns" / f"{result.stem}.html")
            write_csv(result.document, staging / "returns" / f"{result.stem}.csv")
        if len(result.lineage):
            (staging / "lineage").mkdir(parents=True, exist_ok=True)
            write_safe_csv(result.lineage, staging / "lineage" / f"{result.stem}.csv")
    if results:
        write_workbook(
            staging / "returns" / f"{entity}-{period_end.isoformat()}.xlsx",
            [(sheet_name(r), r) for r in results],
            config,
            run,
        )


def run(
    paths: api.InputPaths,
    entity: str,
    period_end: dt.date,
    out: Path,
    progress: Progress = print,
    notebooks: bool = True,
) -> RunOutcome:
    """Produce every return `entity` owes for the period ending `period_end` into out/<entity>/<period-end>/.

    Raises:
        InputError: unreadable input, bad configuration, unknown entity, or a date that ends no period.
        ValidationFailed: the extract has errors (written to validation/errors.csv).
        NotebookFailed: a notebook raised (its executed copy is kept).
    """
    step = _Steps(progress)
    started = _now()
    config, text = api.read_inputs(paths)
    schedule.plan(config, entity, period_end, set(RETURNS))  # unknown entity, mixed ARDs, wrong date: fail early
    print_settings(config, text, entity, progress)  # what every figure depends on, before any figure is made
    final = out / entity / period_end.isoformat()
    staging = out / entity / f".{period_end.isoformat()}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    parameters = {
        "config": str(paths.config.resolve()),
        "entity": entity,
        "period_end": period_end.isoformat(),
        "complaints": str(paths.complaints.resolve()),
        "redress": str(paths.redress.resolve()) if paths.redress else None,
        "context": str(paths.context.resolve()) if paths.context else None,
    }
    try:
        step(f"validating {len(text.complaints):,} complaints with expectations/ suites and named checks")
        report = validate_inputs(text, config)
        if not report.ok:
            report.write(staging / "validation")
            raise ValidationFailed(report, written_to=evidence_folder(final) / "validation" / "errors.csv")
        step("classifying (scope, upheld, business-day bands)")
        prepared = api.prepare_from_text(config, text, report)
        step("building returns")
        built = api.build_all(prepared, entity, period_end)
        redress_basis = redress_basis_statement(config.redress_attribution)
        step(redress_basis)
        regimes = {r.stem: regime_of(r) for r in built.results}
        notes = {r.stem: note for r in built.results if (note := schedule.document_note(config, r.document))}
        for result in built.results:
            period = result.document["period"]
            note = f": {notes[result.stem]}" if result.stem in notes else ""
            step(f"  built {result.stem} ({period['start']} to {period['end']}){note}")
            if result.warnings is not None and len(result.warnings):
                for message in result.warnings.loc[result.warnings["rule"] == api.REPORTED_JOINTLY, "message"]:
                    step(f"  warning: {message}")
        for item in built.skipped:
            step(f"  skipped {item.stem}: {item.reason}")

        warnings = [w for w in [report.warnings, *[r.warnings for r in built.results]] if w is not None and len(w)]
        all_warnings = pd.concat(warnings, ignore_index=True) if warnings else report.warnings
        report.write(staging / "validation")
        write_safe_csv(all_warnings, staging / "validation" / "warnings.csv")

        step("writing returns, workbook and lineage")
        tie_outs = check_tieouts(
            built.results, prepared.complaints, prepared.redress_lines, prepared.context, config
        )  # a return whose figures disagree is never published (exit 3)
        held, shown = sum(t.must_hold for t in tie_outs), sum(not t.must_hold for t in tie_outs)
        step(f"tie-outs: {held} checked, all hold; {shown} shown for comparison")
        info = run_facts(paths, text, config, entity, period_end, built.results, notebooks)
        write_returns(built.results, staging, entity, period_end, config, info)
        write_review_data(staging, info, config, built.results, prepared.complaints, tie_outs)  # what pages read
        if notebooks:
            # The notebooks get the run folder relative to notebooks/, where each executes, and read nothing
            # else: no path enters an executed notebook, so a re-run elsewhere reproduces it byte for byte.
            run_notebooks(notebook_jobs(built.results), staging, {"run_dir": ".."}, step)

        manifest = build_manifest(
            inputs=paths.files(),
            parameters=parameters,
            started=started,
            finished=_now(),
            produced=[r.stem for r in built.results],
            skipped=[{"return": s.stem, "reason": s.reason} for s in built.skipped],
            folder=staging,
        )
        manifest["regimes"] = regimes
        manifest["run_id"] = info.run_id  # the id every sheet shows leads here
        manifest["ran_by"] = who_ran()  # facts of this execution: only here and on the review page
        manifest["redress_attribution"] = config.redress_attribution  # the basis the run states
        write_json(staging / "manifest.json", manifest)
        write_index(staging, manifest)  # the review page: after the manifest, whose sha256 it gives
        _publish(staging, final)
        step(f"done: {final}")
        return RunOutcome(
            final, [r.stem for r in built.results], built.skipped, len(all_warnings), notes, redress_basis
        )
    except ReportkitError as exc:
        evidence = _keep_evidence(staging, final)
        step(f"failed; evidence kept in {evidence}")
        if isinstance(exc, NotebookFailed):
            raise NotebookFailed(str(exc).replace(str(staging), str(evidence))) from None
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
