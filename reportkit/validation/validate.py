"""Validation of the inputs: the great-expectations suites, then the named cross-column checks.

Order matters only for speed: everything runs, every finding is collected, nothing stops early.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.config import Config
from reportkit.distinct import by_rows
from reportkit.errors import printable
from reportkit.extract import EMPTY_COLUMNS, columns_found
from reportkit.schema import load_schema
from reportkit.validation.checks import (
    COMPLAINT_CHECKS,
    RowCheck,
    goodwill_decides_upheld,
    goodwill_lines,
    money_ceiling_check,
    real_date_checks,
    redress_given_twice,
    redress_without_complaint,
)
from reportkit.validation.context_checks import context_findings
from reportkit.validation.mapped import (
    MAPPING_RULES,
    as_exported,
    cell_letters,
    date_findings,
    mapped_values,
    mapping_of,
    unmapped_findings,
)
from reportkit.validation.report import ValidationReport, findings_frame
from reportkit.validation.suites import begin_suite, run_suite, suite_rules


@dataclass
class TextInputs:
    """The input files as read (text), with their file names for messages."""

    complaints: pd.DataFrame
    complaints_name: str
    redress: pd.DataFrame | None = None
    redress_name: str = "redress"
    context: pd.DataFrame | None = None
    context_name: str = "context"


def validate_inputs(inputs: TextInputs, config: Config) -> ValidationReport:
    """Run every rule on every input; return all errors and extract-level warnings. An export read through a
    mapping also gets the mapping's own findings, and every finding shown as the export has it
    (validation.mapped)."""
    report = _validate(inputs, config)
    mapped = [
        (frame, file, label)
        for frame, file, label in (
            (inputs.complaints, "complaints", inputs.complaints_name),
            (inputs.redress, "redress", inputs.redress_name),
        )
        if mapping_of(frame) is not None
    ]
    for frame, file, label in mapped:
        report.add(unmapped_findings(frame, file, label))
        report.add(date_findings(frame, file, label))
        report.record(label, list(MAPPING_RULES), len(frame))
    if mapped:
        findings = report.findings
        for frame, _, label in mapped:
            findings = as_exported(findings, frame, label)
        report.parts = [findings]
        report.mapped = pd.concat([mapped_values(f, file, label) for f, file, label in mapped], ignore_index=True)
    for frame, label in ((inputs.complaints, inputs.complaints_name), (inputs.redress, inputs.redress_name)):
        report.cells |= cell_letters(frame, label)
    return report


def _validate(inputs: TextInputs, config: Config) -> ValidationReport:
    report = ValidationReport()
    references = {"frns": sorted(config.firms)}
    for frame, name in (
        (inputs.complaints, inputs.complaints_name),
        (inputs.redress, inputs.redress_name),
        (inputs.context, inputs.context_name),
    ):
        if frame is not None:
            report.add(unknown_columns_warning(frame, name))
            report.add(empty_columns_warning(frame, name))
            report.add(no_rows_warning(frame, name))
            report.record(name, [UNKNOWN_COLUMNS, EMPTY_COLUMNS_RULE, NO_ROWS], len(frame))
    # Adviser identifiers are compared without case and spaces: validate the form they are grouped in.
    complaints = load_schema("complaints").normalised(inputs.complaints)
    # The suite runs in the validation helper while the named checks run here; their findings are added in the
    # same order as one after the other (the suite's first), so the report is the same either way.
    suite = begin_suite(complaints, "complaints", inputs.complaints_name, references)
    checked = ValidationReport()
    run_checks(checked, complaints, COMPLAINT_CHECKS, inputs.complaints_name)
    run_checks(
        checked, complaints, [money_ceiling_check("redress_amount", config.money_ceiling)], inputs.complaints_name
    )
    for part in suite.findings():
        report.add(part)
    report.record(inputs.complaints_name, suite_rules("complaints"), len(complaints))
    report.merge(checked)
    if inputs.redress is not None:
        redress = inputs.redress
        for part in run_suite(redress, "redress", inputs.redress_name, references):
            report.add(part)
        report.record(inputs.redress_name, suite_rules("redress"), len(redress))
        run_checks(
            report,
            redress,
            [*real_date_checks(["paid_date"]), money_ceiling_check("amount", config.money_ceiling)],
            inputs.redress_name,
        )
        report.add(
            findings_frame(
                redress[redress_without_complaint(redress, complaints)],
                severity="error",
                file=inputs.redress_name,
                column="complaint_id",
                rule="redress_without_complaint",
                message="no complaint with this firm_frn and complaint_id in the extract",
            )
        )
        report.add(
            findings_frame(
                complaints[redress_given_twice(complaints)],
                severity="error",
                file=inputs.complaints_name,
                column="redress_amount",
                rule="redress_given_twice",
                message="redress_amount is filled in and a redress file was given: use one, not both",
            )
        )
        for found in goodwill_flag_findings(redress, complaints, inputs.redress_name):
            report.add(found)
        report.record(inputs.redress_name, ["redress_without_complaint", *GOODWILL_RULES], len(redress))
        report.record(inputs.complaints_name, ["redress_given_twice"], len(complaints))
    if inputs.context is not None:
        for part in run_suite(inputs.context, "context", inputs.context_name, references):
            report.add(part)
        report.record(inputs.context_name, suite_rules("context"), len(inputs.context))
        run_checks(report, inputs.context, real_date_checks(["period_end"]), inputs.context_name)
        for part in context_findings(inputs.context, config, inputs.context_name):
            report.add(part)
        report.record(inputs.context_name, list(CONTEXT_RULES), len(inputs.context))
    report.add(undeclared_product_warnings(complaints, config, inputs.complaints_name))
    report.record(inputs.complaints_name, [f"undeclared_{column}" for column, _ in DECLARED_COLUMNS], len(complaints))
    return report


UNKNOWN_COLUMNS = "unknown_columns"
"""Rule of the one warning per file that lists the columns not in its schema (they are ignored)."""


def unknown_columns_warning(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """One warning listing every column of the file that is not in its schema: case systems export many
    columns, and these change no figure. (A near miss of a schema column never gets here: reading refuses it.)
    One that may hold a column the file lacks (`forwarded_to_other_firm` for `forwarded`) is named with it: that
    column's default is used, which changes figures if the header does hold it."""
    found = columns_found(frame)
    unknown = found.unknown
    if not unknown:
        return findings_frame(pd.DataFrame(), severity="warning", file=file, column="", rule="", message="")
    names = ", ".join(unknown)
    message = f"{len(unknown)} column(s) not in the input's documented columns are ignored: {names}"
    for header, held in found.may_hold:
        columns = " or ".join(f"`{c}`" for c in held)
        message += (
            f"; `{header}` may hold {columns}, which the file lacks, so its default is used: if it does, rename "
            f"it to {columns} (a mapping can rename it, or set it to null to ignore it without this warning)"
        )
    return _one_warning(file, UNKNOWN_COLUMNS, names, message)


EMPTY_COLUMNS_RULE = "empty_columns_ignored"
"""Rule of the one warning per workbook that names the columns with neither a header nor a value."""

NO_ROWS = "no_rows"
"""Rule of the warning on a file that has its header but no row (an extract of a quiet period, or a bad export)."""


def _one_warning(file: str, rule: str, value: str, message: str) -> pd.DataFrame:
    return findings_frame(
        pd.DataFrame({"value": [value]}),
        severity="warning",
        file=file,
        column="(header)",
        rule=rule,
        message=message,
        value_column="value",
    )


def empty_columns_warning(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """One warning for the columns of a workbook with no header and no value (Excel's `Unnamed: 7`): they are
    dropped, and said to be, so that nothing is ignored without a word."""
    empty = frame.attrs.get(EMPTY_COLUMNS, ())
    if not empty:
        return _one_warning(file, "", "", "").iloc[0:0]
    return _one_warning(
        file,
        EMPTY_COLUMNS_RULE,
        ", ".join(empty),
        f"{len(empty)} column(s) with neither a header nor a value are ignored",
    )


def no_rows_warning(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """A file with a header and no row: for the complaints extract every return is then a nil return, which is
    right for a quiet period and wrong for a broken export, so say so (the run continues)."""
    if len(frame):
        return _one_warning(file, "", "", "").iloc[0:0]
    return _one_warning(
        file,
        NO_ROWS,
        "",
        "the file has a header but no rows: it contributes nothing (a complaints extract with no rows gives nil "
        "returns); check the export if the period had complaints",
    )


def run_checks(report: ValidationReport, frame: pd.DataFrame, checks: list[RowCheck], file: str) -> None:
    """Apply named vectorised checks; each adds the rows it fails as errors."""
    report.record(file, [check.rule for check in checks], len(frame))
    for check in checks:
        mask = check.failing(frame)
        report.add(
            findings_frame(
                frame[mask],
                severity="error",
                file=file,
                column=check.column,
                rule=check.rule,
                message=check.message,
                value_column=check.value_column,
            )
        )


def goodwill_flag_findings(redress: pd.DataFrame, complaints: pd.DataFrame, file: str) -> list[pd.DataFrame]:
    """Goodwill redress lines on complaints whose goodwill_payment is false (DISP 1.10.3G(2)).

    On a no_decision complaint the flag decides whether it counts as upheld, so each such line is an error
    naming the complaint, the line and the flag. On any other outcome (or a complaint still open) the flag
    changes no figure: one warning lists those complaints.
    """
    lines = goodwill_lines(redress, complaints)
    deciding = goodwill_decides_upheld(lines)
    errors = findings_frame(
        lines[deciding],
        severity="error",
        file=file,
        column="goodwill_payment",
        rule=GOODWILL_RULES[0],
        message="a goodwill redress line on a no_decision complaint whose goodwill_payment is false: the flag "
        "decides whether the complaint counts as upheld (DISP 1.10.3G(2)); set goodwill_payment to true, or "
        "correct the line's redress_type",
    )
    others = lines[~deciding]
    if others.empty:
        return [errors]
    ids = list(dict.fromkeys(others["complaint_id"].astype(str)))  # each complaint once, in line order
    summary = findings_frame(
        pd.DataFrame({"value": [", ".join(ids)]}),
        severity="warning",
        file=file,
        column="goodwill_payment",
        rule=GOODWILL_RULES[1],
        message=f"{len(ids)} complaint(s) not closed as no_decision have a goodwill redress line but "
        "goodwill_payment false: on these outcomes the flag changes no figure (DISP 1.10.3G(2)), but one of "
        "the two is wrong",
        value_column="value",
    )
    return [errors, summary]


DECLARED_COLUMNS = (
    ("product", "products"),
    ("credit_activity", "credit_activities"),
    ("payment_service", "payment_services"),
    ("cmc_claim_type", "cmc_claim_types"),
)
"""Complaint columns whose codes a firm declares in its configuration (and the configuration key)."""

GOODWILL_RULES = ("goodwill_line_on_no_decision_without_flag", "goodwill_line_without_flag")

CONTEXT_RULES = ("context_duplicate", "context_period_end", "context_key_not_declared", "context_key_not_allowed")
"""The named checks of context.csv (reportkit/validation/context_checks.py)."""


def undeclared_product_warnings(complaints: pd.DataFrame, config: Config, file: str) -> pd.DataFrame:
    """Warn about complaints on a product or activity the firm does not declare (blank vs 0 depends on it)."""
    parts = []
    for column, attribute in DECLARED_COLUMNS:
        declared = [(frn, code) for frn, firm in config.firms.items() for code in getattr(firm, attribute)]

        def undeclared(pairs: pd.DataFrame, declared=declared, column=column) -> np.ndarray:
            keys = pd.MultiIndex.from_arrays([pairs["firm_frn"], pairs[column]])
            is_declared = keys.isin(declared) if declared else np.zeros(len(pairs), dtype=bool)
            known = pairs["firm_frn"].isin(config.firms).to_numpy(dtype=bool)
            return pairs[column].notna().to_numpy(dtype=bool) & known & ~np.asarray(is_declared, dtype=bool)

        # Decided once per distinct (firm, code) pair: a few hundred, however many complaints.
        mask = by_rows(complaints[["firm_frn", column]], undeclared)
        parts.append(
            findings_frame(
                complaints[mask],
                severity="warning",
                file=file,
                column=column,
                rule="undeclared_" + column,
                message=f"the firm does not declare this {column} in its configuration "
                f"({attribute}); its row is reported, not left blank",
            )
        )
    return pd.concat(parts, ignore_index=True)


def label_for(path: str | Path) -> str:
    """How findings name an input file: its name, with any byte that is not UTF-8 (a file system allows them)
    shown as a backslash escape (`r\\xe9clamations.csv`), so it can be written to every output."""
    return printable(Path(path).name)
