"""The Python API the CLI and the notebooks call: load -> validate -> classify -> build returns.

Each step is a named function; `reportkit.run` adds rendering, workbook, lineage and the manifest.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from reportkit import schedule
from reportkit.classify import classify, redress_lines
from reportkit.config import Config, load_config
from reportkit.errors import InputError, ValidationFailed
from reportkit.extract import INPUT_BYTES, INPUT_SHA256, read_complaints, read_context, read_redress, to_typed
from reportkit.returns import RETURNS, SUMMARISED_BY_ANNEX1B
from reportkit.returns.common import BuildInputs, ReturnResult, warning
from reportkit.runinfo import InputRead
from reportkit.schema import load_schema
from reportkit.settings import print_settings
from reportkit.validation.report import ValidationReport
from reportkit.validation.validate import TextInputs, label_for, validate_inputs


@dataclass
class InputPaths:
    config: Path
    complaints: Path
    redress: Path | None = None
    context: Path | None = None

    @classmethod
    def of(cls, config, complaints, redress=None, context=None) -> "InputPaths":
        return cls(
            Path(config), Path(complaints), Path(redress) if redress else None, Path(context) if context else None
        )

    def files(self) -> dict[str, Path]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass
class Prepared:
    """Validated, typed and classified inputs, ready for any return and any period."""

    config: Config
    complaints: pd.DataFrame
    redress_lines: pd.DataFrame
    context: pd.DataFrame | None
    report: ValidationReport


def read_inputs(paths: InputPaths) -> tuple[Config, TextInputs]:
    """Read the configuration and the input files as text (InputError on anything unreadable)."""
    config = load_config(paths.config)
    text = TextInputs(
        complaints=read_complaints(paths.complaints),
        complaints_name=label_for(paths.complaints),
        redress=read_redress(paths.redress) if paths.redress else None,
        redress_name=label_for(paths.redress) if paths.redress else "redress",
        context=read_context(paths.context) if paths.context else None,
        context_name=label_for(paths.context) if paths.context else "context",
    )
    return config, text


def inputs_as_read(paths: InputPaths, config: Config, text: TextInputs) -> dict[str, InputRead]:
    """Every input file with the sha256 and size of the very bytes read_inputs parsed (never re-read from disk)."""
    read = {"config": InputRead(paths.config, str(config.sha256), int(config.size or 0))}
    for role in ("complaints", "redress", "context"):
        frame = getattr(text, role)
        if frame is not None:
            read[role] = InputRead(getattr(paths, role), frame.attrs[INPUT_SHA256], frame.attrs[INPUT_BYTES])
    return read


def validate(paths: InputPaths, progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Validate the inputs; returns every error and warning (raises InputError for unreadable files).

    Args:
        progress: given, it is told the settings used for every firm and group (reportkit.settings).
    """
    config, text = read_inputs(paths)
    if progress is not None:
        print_settings(config, text, None, progress)
    return validate_inputs(text, config)


def prepare(paths: InputPaths, check: bool = True) -> Prepared:
    """Read, validate, type and classify the inputs.

    Args:
        check: run validation (default). False only for inputs a run has just validated (the notebooks
            of `reportkit run`), to spare a second great-expectations pass.

    Raises:
        InputError: a file cannot be read or the configuration is wrong.
        ValidationFailed: the extract has errors (the exception carries the full report).
    """
    config, text = read_inputs(paths)
    report = validate_inputs(text, config) if check else ValidationReport()
    if not report.ok:
        raise ValidationFailed(report)
    return prepare_from_text(config, text, report)


def prepare_from_text(config: Config, text: TextInputs, report: ValidationReport) -> Prepared:
    """Type and classify inputs that passed validation."""
    complaints = to_typed(text.complaints, load_schema("complaints"))
    redress = to_typed(text.redress, load_schema("redress")) if text.redress is not None else None
    context = to_typed(text.context, load_schema("context")) if text.context is not None else None
    return Prepared(config, classify(complaints, config), redress_lines(complaints, redress), context, report)


_DATE_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD value (a command's --period-end, a notebook's parameter) as a date.

    Raises:
        InputError: `2025-6-30` is "not a date in the form YYYY-MM-DD"; `2025-02-30` "is not a real date", with
            the number of days of its month.
    """
    text = str(text)
    if not _DATE_FORM.match(text):
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        year, month = int(text[:4]), int(text[5:7])
        why = (
            f"{month_calendar.month_name[month]} {year} has {month_calendar.monthrange(year, month)[1]} days"
            if 1 <= month <= 12 and year >= 1
            else f"there is no month {text[5:7]}"
        )
        raise InputError(f"{what} {text!r} is not a real date ({why}); give a date that exists") from None


@dataclass
class Built:
    """The returns built for one entity and period, and the ones skipped with the reason."""

    results: list[ReturnResult]
    skipped: list[schedule.Skipped]


REPORTED_JOINTLY = "reported_jointly_by_group"
"""Rule of the warning on a firm's own return that a group reports jointly for it (docs/rules.md "Joint reports")."""


def reported_jointly_warning(config: Config, entity: str, return_code: str) -> pd.DataFrame | None:
    """A firm run on its own for a return that its group reports jointly (DISP 1.10.1CR): the joint report,
    not this one, is what is filed for it, so say so; the run continues."""
    groups = config.joint_groups(entity, return_code) if entity not in config.groups else []
    if not groups:
        return None
    group = groups[0]
    return warning(
        REPORTED_JOINTLY,
        "entity",
        entity,
        f"group {group.id} reports {return_code} jointly for firm {entity} (reporting firm {group.reporting_firm}): "
        f"this {return_code} covers the firm alone and is not what it files; run --entity {group.id} for the joint "
        "return and the members' nil returns",
        return_code,
    )


def build_due(prepared: Prepared, item: schedule.Due) -> ReturnResult:
    """Build one planned return; a member's nil return is the same builder over none of its complaints."""
    complaints = prepared.complaints.iloc[0:0] if item.nil_for else prepared.complaints
    inputs = BuildInputs(complaints, prepared.redress_lines, prepared.context, prepared.config, item.firms, item.period)
    result = RETURNS[item.return_code].build(inputs)
    result.stem = item.stem
    return result


def build_all(prepared: Prepared, entity: str, period_end: dt.date) -> Built:
    """Build every return the entity owes for the period ending `period_end`, with the Annex 1B summary
    where a report reaches the publication threshold (DISP 1.10A.1R): of an Annex 1 report, or of the Annex 1AB
    report of a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa))."""
    due, skipped = schedule.plan(prepared.config, entity, period_end, set(RETURNS) - {"annex1b"})
    results = []
    for item in due:
        result = build_due(prepared, item)
        joint = reported_jointly_warning(prepared.config, entity, item.return_code)
        if joint is not None:
            result.warnings = pd.concat([w for w in (result.warnings, joint) if w is not None], ignore_index=True)
        results.append(result)
        summarised = item.return_code in SUMMARISED_BY_ANNEX1B and not item.nil_for
        if summarised and schedule.summary_can_be_owed(item.firms[0], item.return_code):
            inputs = BuildInputs(
                prepared.complaints, prepared.redress_lines, prepared.context, prepared.config, item.firms, item.period
            )
            summary_spec = SUMMARISED_BY_ANNEX1B[item.return_code]
            required, reason = summary_spec.decide(inputs)
            stem = item.stem.replace(item.return_code, "annex1b", 1)
            if required:
                summary = summary_spec.build(inputs)
                summary.stem = stem
                results.append(summary)
            else:
                skipped.append(schedule.Skipped(stem, reason))
    return Built(results, skipped)


def build_returns(prepared: Prepared, entity: str, period_end: dt.date) -> list[ReturnResult]:
    """The built returns only (see build_all for what was skipped)."""
    return build_all(prepared, entity, period_end).results
