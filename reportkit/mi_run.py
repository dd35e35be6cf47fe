"""`reportkit mi` and `reportkit preview-2027`: read -> keep the entity's rows -> validate -> classify -> MI tables
-> write (tables, workbook) -> notebook -> manifest, into DIR/<entity>/mi-<from>--<to>/ (or preview-2027-...).

The same reading, validation and classification as `reportkit run` (reportkit.pipeline), and the same publishing
(reportkit.runner): built in a staging folder, swapped into place under the folder's lock only when every step
succeeded, a failed run's evidence (validation/, notebooks/) kept, earlier outputs never damaged. Every file but
manifest.json is a pure function of the inputs, parameters, configuration and version, so a re-run is identical.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from reportkit import pipeline
from reportkit.calendar import Period, is_supported, regime
from reportkit.config import Config, load_config
from reportkit.errors import InputError, ValidationFailed
from reportkit.manifest import build_manifest
from reportkit.mi.common import covers, first_received
from reportkit.mi.frame import Window, default_start, given_flags, mi_frame
from reportkit.mi.output import PREVIEW_SECTION, table_document, write_mi_workbook, write_table_json
from reportkit.mi.preview import load_preview_layout
from reportkit.mi.tables import build_tables, tables_of
from reportkit.mi_settings import MiSettings
from reportkit.runinfo import FirmFacts, RunInfo, describe_run
from reportkit.runner import (
    RunFolders,
    Steps,
    build_and_publish,
    evidence_folder,
    now_utc,
    run_notebooks,
    safe_name,
    who_ran,
    write_json,
)
from reportkit.validation.report import ValidationReport
from reportkit.validation.suites import warm_up
from reportkit.validation.validate import TextInputs, validate_inputs

Progress = Callable[[str], None]

MI_FILE = "mi.json"
MI_NOTEBOOK = "mi.ipynb"
COMMANDS = {"mi": None, "preview-2027": PREVIEW_SECTION}
"""Command -> the section of tables it writes (None: every table, the 2027 preview included)."""


@dataclass
class MiOutcome:
    folder: Path
    tables: list[str]
    breaches: int = 0


def window_of(start: dt.date | None, end: dt.date) -> Window:
    """The MI range [start, end]; start defaults to the 12 months up to `end`.

    Raises:
        InputError: --from after --to, or a date outside the years the business-day calendar covers.
    """
    start = start or default_start(end)
    if start > end:
        raise InputError(f"--from {start} is after --to {end}; give the first day of the range with --from")
    for flag, day in (("--from", start), ("--to", end)):
        if not is_supported(day):
            raise InputError(f"{flag} {day} is outside the years reportkit's business-day calendar covers")
    return Window(start, end)


def folder_name(command: str, window: Window) -> str:
    prefix = "mi" if command == "mi" else "preview-2027"
    return f"{prefix}-{window.start.isoformat()}--{window.end.isoformat()}"


def settings_lines(config: Config, frns: list[str]) -> list[str]:
    """What the MI figures depend on beyond the extract, printed before any figure (nothing silent)."""
    lines = []
    for frn in frns:
        mi = config.firms[frn].mi
        levels = ", ".join(f"{g} {lvl.describe()}" for g, lvl in mi.service_levels.items()) or "none set"
        plan = ", ".join(f"{g} £{v:,.0f}/month" for g, v in mi.redress_plan.items()) or "none set"
        limits = (f"default £{mi.authority_default:,.0f}" if mi.authority_default is not None else "no default") + (
            f", {len(mi.authority_handlers)} handler(s) named" if mi.authority_handlers else ""
        )
        lines.append(f"MI settings of {frn}: service levels {levels}; redress plan {plan}; authority limits {limits}")
    return lines


def run_mi(
    paths: pipeline.InputPaths,
    entity: str,
    start: dt.date | None,
    end: dt.date,
    out: Path,
    progress: Progress = print,
    command: str = "mi",
    notebooks: bool = True,
) -> MiOutcome:
    """Build the MI pack (or with command "preview-2027" the 2027 view only) of `entity` for [start, end].

    Raises:
        InputError: bad configuration, unknown entity, bad dates, unreadable input (exit 2).
        ValidationFailed: the entity's rows have errors (validation/errors.csv kept; exit 1).
        NotebookFailed: the notebook raised (its executed copy kept; exit 3).
    """
    step = Steps(progress)
    started = now_utc()
    window = window_of(start, end)
    folders = RunFolders(out, safe_name(entity, "entity"), folder_name(command, window))
    folders.final  # noqa: B018 - checks the folder lies inside --out before anything is read
    config = load_config(paths.config)
    frns = [firm.frn for firm in config.entity_firms(entity)]  # an unknown entity fails before any reading
    for line in settings_lines(config, frns):
        progress(line)
    warm_up()  # great-expectations loads while the inputs are read
    text = pipeline.read_files(paths)
    rows_read = {"complaints": len(text.complaints)}
    rows_read |= {r: len(f) for r in ("redress", "context") if (f := getattr(text, r)) is not None}
    read = pipeline.inputs_as_read(paths, config, text)
    kept, other_firms = pipeline.keep_entity_rows(text, config, frns)
    step(f"read {rows_read['complaints']:,} complaints from {paths.complaints.name}")
    if (skipped := other_firms.line()) is not None:
        step(skipped)

    def build(staging: Path) -> MiOutcome:
        outcome = _build_in(staging, folders, config, kept, read, rows_read, window, command, notebooks, step)
        manifest = build_manifest(
            inputs=read,
            parameters=_parameters(paths, entity, window, command),
            started=started,
            finished=now_utc(),
            produced=outcome.tables,
            skipped=[],
            folder=staging,
        )
        manifest["run_id"] = json.loads((staging / MI_FILE).read_text(encoding="utf-8"))["run_id"]
        manifest["ran_by"] = who_ran()
        write_json(staging / "manifest.json", manifest)
        return outcome

    return build_and_publish(folders, step, build)


def mi_frame_from_text(config: Config, text: TextInputs, report: ValidationReport) -> pd.DataFrame:
    """The MI frame (reportkit.mi.frame) of inputs that passed validation, typed and classified as for the returns,
    with which vulnerability flags were blank in the text."""
    given = given_flags(text.complaints)
    prepared = pipeline.prepare_from_text(config, text, report)
    return mi_frame(prepared.complaints, prepared.redress_lines, given)


def prepare_mi(paths: pipeline.InputPaths, entity: str) -> tuple[pd.DataFrame, dict[str, MiSettings]]:
    """For Python users and tests: the MI frame of the entity's complaints and each firm's MI settings, read and
    validated as `reportkit mi` does, without writing anything.

    Raises:
        InputError: bad configuration, unknown entity or unreadable input.
        ValidationFailed: the entity's rows have errors.
    """
    config = load_config(paths.config)
    frns = [firm.frn for firm in config.entity_firms(entity)]
    kept, _ = pipeline.keep_entity_rows(pipeline.read_files(paths), config, frns)
    report = validate_inputs(kept, config)
    if not report.ok:
        raise ValidationFailed(report)
    return mi_frame_from_text(config, kept, report), {frn: config.firms[frn].mi for frn in frns}


def _parameters(paths: pipeline.InputPaths, entity: str, window: Window, command: str) -> dict:
    return {
        "command": command,
        "config": str(paths.config.resolve()),
        "entity": entity,
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "complaints": str(paths.complaints.resolve()),
        "redress": str(paths.redress.resolve()) if paths.redress else None,
        "context": str(paths.context.resolve()) if paths.context else None,
    }


def _build_in(staging, folders, config, kept, read, rows_read, window, command, notebooks, step) -> MiOutcome:
    step(f"validating {len(kept.complaints):,} complaints with expectations/ suites and named checks")
    report = validate_inputs(kept, config)
    if not report.ok:
        report.write(staging / "validation")
        raise ValidationFailed(report, written_to=evidence_folder(folders) / "validation" / "errors.csv")
    report.write(staging / "validation")
    step(f"classifying {len(kept.complaints):,} complaints")
    frame = mi_frame_from_text(config, kept, report)
    frns = [firm.frn for firm in config.entity_firms(folders.entity)]
    section = COMMANDS[command]
    step(f"building {len(tables_of(section))} MI table(s) for {window.start} to {window.end}")
    tables = build_tables(frame, window, {frn: config.firms[frn].mi for frn in frns}, section)
    history = history_note(frame, window)
    if history:
        step(history)
    info = _run_info(read, rows_read, config, folders.entity, window, command, notebooks, frns)
    layout = load_preview_layout()
    documents = []
    for spec in tables_of(section):
        document = table_document(spec.name, spec.title, spec.about, spec.section, tables[spec.name])
        write_table_json(staging, document)
        documents.append(document)
    document = {**_mi_document(info, config, window, command, documents, frns, layout), "history": history}
    write_json(staging / MI_FILE, document)
    name = f"{folders.entity}-{folders.period}.xlsx"
    write_mi_workbook(staging / "workbook" / name, documents, info.run_id, window.end, layout.label)
    step(f"wrote {len(documents)} table(s) and workbook/{name}")
    if notebooks:
        # The notebook gets the MI folder relative to notebooks/, where it executes, and reads nothing else.
        run_notebooks([(MI_NOTEBOOK, "mi", None)], staging, {"run_dir": ".."}, step, None)
    breaches = sum(len(tables[n]) for n in ("disp_breaches", "service_level_breaches") if n in tables)
    return MiOutcome(folders.final, list(tables), breaches)


def history_note(frame, window: Window) -> str | None:
    """One line when a comparison span begins before the extract's history (mi.common.covers): its figures are
    blank, and the pages and the progress log say why."""
    first = first_received(frame)
    earliest = min(window.year_before.start, window.previous.start)
    if first is None or covers(frame, earliest):
        return None
    return (
        f"comparisons: the extract's complaints begin in {first.strftime('%Y-%m')}; figures for spans before it "
        "(a year before, the previous period) are left blank, not 0"
    )


def _run_info(read, rows_read, config, entity, window, command, notebooks, frns) -> RunInfo:
    return describe_run(
        files=read,
        rows=rows_read,
        entity=entity,
        entity_name=config.groups[entity].name if entity in config.groups else config.firms[entity].name,
        period_end=window.end,
        options={"command": command, "from": window.start.isoformat(), "notebooks": notebooks},
        firms=[FirmFacts(frn, config.firms[frn].name, config.firms[frn].business_days) for frn in frns],
        periods=[(window.start.isoformat(), window.end.isoformat())],
        regimes=[regime(Period(window.start, window.end))],
    )


def _mi_document(info: RunInfo, config: Config, window: Window, command: str, documents, frns, layout) -> dict:
    """mi.json: the facts the MI pages show (run id, inputs by name, firms, range, settings), never a path."""
    return {
        "run_id": info.run_id,
        "reportkit": info.version,
        "commit": info.commit,
        "command": command,
        "entity": info.entity,
        "entity_name": info.entity_name,
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "year_before": [window.year_before.start.isoformat(), window.year_before.end.isoformat()],
        "previous_period": [window.previous.start.isoformat(), window.previous.end.isoformat()],
        "inputs": [{"role": i.role, "name": i.name, "rows": i.rows, "sha256": i.sha256} for i in info.inputs],
        "firms": [{"frn": f.frn, "name": f.name, "business_days": f.nation} for f in info.firms],
        "settings": settings_lines(config, frns),
        "preview": {
            "title": layout.title,
            "label": layout.label,
            "explanation": layout.explanation,
            "measures": layout.measures,
        },  # fmt: skip
        "tables": [
            {k: d[k] for k in ("name", "title", "about", "section")} | {"rows": len(d["rows"])} for d in documents
        ],  # fmt: skip
    }
