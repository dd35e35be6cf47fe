"""reportkit's Python API: what the CLI calls, and what a notebook or another tool can call.

The steps live in `reportkit.pipeline` (read -> keep the entity's rows -> validate -> classify -> plan ->
build); `reportkit.runner.run` adds staging, writers, notebooks and the manifest. This module gives them the
names a caller needs:

    from reportkit import api
    report = api.validate(api.InputPaths.of("config.yaml", "complaints.csv"))
    prepared = api.prepare(api.InputPaths.of("config.yaml", "complaints.csv"))
    built = api.build_all(prepared, "123456", api.parse_date("2025-12-31"))
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from typing import Callable

from reportkit.errors import InputError, ValidationFailed
from reportkit.pipeline import (
    REPORTED_JOINTLY,
    Built,
    InputPaths,
    Plan,
    Prepared,
    build_all,
    build_due,
    build_planned,
    inputs_as_read,
    plan_returns,
    prepare_from_text,
    read_inputs,
    reported_jointly_warning,
)
from reportkit.returns.common import ReturnResult
from reportkit.settings import print_settings
from reportkit.validation.report import ValidationReport
from reportkit.validation.suites import warm_up
from reportkit.validation.validate import validate_inputs

__all__ = [
    "REPORTED_JOINTLY",
    "Built",
    "InputPaths",
    "Plan",
    "Prepared",
    "ReturnResult",
    "ValidationReport",
    "build_all",
    "build_due",
    "build_planned",
    "build_returns",
    "inputs_as_read",
    "parse_date",
    "plan_returns",
    "prepare",
    "prepare_from_text",
    "read_inputs",
    "reported_jointly_warning",
    "validate",
]


def validate(paths: InputPaths, progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Validate the inputs; returns every error and warning (raises InputError for unreadable files).

    Args:
        progress: given, it is told the settings used for every firm and group (reportkit.settings).
    """
    warm_up()  # great-expectations loads while the inputs are read
    config, text = read_inputs(paths)
    if progress is not None:
        print_settings(config, text, None, progress)
    return validate_inputs(text, config)


def prepare(paths: InputPaths, check: bool = True) -> Prepared:
    """Read, validate, type and classify the inputs (every firm's rows).

    Args:
        check: run validation (default). False only for inputs already validated.

    Raises:
        InputError: a file cannot be read or the configuration is wrong.
        ValidationFailed: the extract has errors (the exception carries the full report).
    """
    config, text = read_inputs(paths)
    report = validate_inputs(text, config) if check else ValidationReport()
    if not report.ok:
        raise ValidationFailed(report)
    return prepare_from_text(config, text, report)


def build_returns(prepared: Prepared, entity: str, period_end: dt.date) -> list[ReturnResult]:
    """The built returns only (see build_all for what was skipped)."""
    return build_all(prepared, entity, period_end).results


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
