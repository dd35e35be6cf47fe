"""The pipeline, one step after another: read -> keep the entity's rows -> validate -> classify -> plan -> build.

`start` reads the configuration and the inputs, plans the returns the entity owes (once) and keeps the rows of
the firms it reports; `finish` validates, classifies and builds every planned return. `reportkit.runner` calls the
two around its staging folder, writers, notebooks and manifest; `reportkit.api` exposes the steps to Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from reportkit import schedule
from reportkit.classify import classify, redress_lines
from reportkit.config import Config, load_config
from reportkit.distinct import rows_where
from reportkit.errors import ValidationFailed
from reportkit.extract import INPUT_BYTES, INPUT_SHA256, read_complaints, read_context, read_redress, to_typed
from reportkit.mapping import MAPPED, Mapping, load_mapping
from reportkit.returns import RETURNS, planned_returns
from reportkit.returns.common import BuildInputs, ReturnResult, group_header_of, warning
from reportkit.runinfo import InputRead
from reportkit.schema import load_schema
from reportkit.validation import helper as validation_helper
from reportkit.validation.report import ValidationReport
from reportkit.validation.suites import warm_up
from reportkit.validation.validate import TextInputs, label_for, validate_inputs

Progress = Callable[[str], None]


@dataclass
class InputPaths:
    config: Path
    complaints: Path
    redress: Path | None = None
    context: Path | None = None
    mapping: Path | None = None
    """The export's mapping file (reportkit.mapping), applied to the complaints and redress files."""
    sheet: str | None = None
    """The sheet of a complaints workbook to read (default: its first); not a file."""

    @classmethod
    def of(cls, config, complaints, redress=None, context=None, mapping=None, sheet=None) -> "InputPaths":
        return cls(
            Path(config),
            Path(complaints),
            Path(redress) if redress else None,
            Path(context) if context else None,
            Path(mapping) if mapping else None,
            sheet or None,
        )

    def files(self) -> dict[str, Path]:
        return {k: v for k, v in vars(self).items() if v is not None and k != "sheet"}


@dataclass
class Prepared:
    """Validated, typed and classified inputs, ready for any return and any period."""

    config: Config
    complaints: pd.DataFrame
    redress_lines: pd.DataFrame
    context: pd.DataFrame | None
    report: ValidationReport
    _positions: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def rows_of(self, frns: list[str]) -> pd.DataFrame:
        """The complaints of these firms, with their row labels (which redress lines use); all of them when
        the frame holds no other firm's."""
        if self._positions is None:
            self._positions = self.complaints.groupby("firm_frn", observed=True, sort=False).indices
        if set(self._positions) <= set(frns):
            return self.complaints
        wanted = [self._positions[frn] for frn in frns if frn in self._positions]
        return self.complaints.iloc[np.sort(np.concatenate(wanted)) if wanted else []]


@dataclass
class Built:
    """The returns built for one entity and period, and the ones skipped with the reason."""

    results: list[ReturnResult]
    skipped: list[schedule.Skipped]


# --------------------------------------------------------------------------- read


def read_inputs(paths: InputPaths) -> tuple[Config, TextInputs]:
    """Read the configuration and the input files as text (InputError on anything unreadable)."""
    config = load_config(paths.config)
    return config, read_files(paths)


def read_files(paths: InputPaths) -> TextInputs:
    """Read the complaints, redress and context files as text, the first two through the mapping if one is given
    (InputError on anything unreadable, or a bad mapping)."""
    mapping = load_mapping(paths.mapping) if paths.mapping else None
    return TextInputs(
        complaints=read_complaints(paths.complaints, mapping, paths.sheet),
        complaints_name=label_for(paths.complaints),
        redress=read_redress(paths.redress, mapping) if paths.redress else None,
        redress_name=label_for(paths.redress) if paths.redress else "redress",
        context=read_context(paths.context) if paths.context else None,
        context_name=label_for(paths.context) if paths.context else "context",
    )


def inputs_as_read(paths: InputPaths, config: Config, text: TextInputs) -> dict[str, InputRead]:
    """Every input file with the sha256 and size of the very bytes read_inputs parsed (never re-read from disk)."""
    read = {"config": InputRead(paths.config, str(config.sha256), int(config.size or 0))}
    for role in ("complaints", "redress", "context"):
        frame = getattr(text, role)
        if frame is not None:
            read[role] = InputRead(getattr(paths, role), frame.attrs[INPUT_SHA256], frame.attrs[INPUT_BYTES])
    mapping = mapping_of(text)
    if mapping is not None:  # the bytes checked, as the frames were read with them
        read["mapping"] = InputRead(mapping.path, mapping.sha256, mapping.size)
    return read


def mapping_of(text: TextInputs) -> Mapping | None:
    """The mapping the complaints were read with, or None."""
    return text.complaints.attrs.get(MAPPED)


# --------------------------------------------------------------------------- keep the entity's rows


@dataclass
class OtherFirmsRows:
    """Rows of configured firms the run does not report: counted and skipped, not validated (extract.md)."""

    firms: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    """Input role (complaints, redress, context) -> rows skipped."""

    def line(self) -> str | None:
        """The one progress line that says what was skipped, or None when nothing was."""
        if not any(self.rows.values()):
            return None
        counts = ", ".join(f"{n:,} {role} row(s)" for role, n in self.rows.items() if n)
        return (
            f"skipped {counts} of {self.firms} other configured firm(s): this run reports other firms; "
            "they are not validated here"
        )


def keep_entity_rows(text: TextInputs, config: Config, frns: list[str]) -> tuple[TextInputs, OtherFirmsRows]:
    """The rows of the firms the run reports, and of FRNs the configuration does not know (so that a mistyped
    FRN is still an error naming its rows); rows of the configuration's other firms are counted and dropped."""
    others = set(config.firms) - set(frns)
    skipped = OtherFirmsRows()
    if not others:
        return text, skipped
    kept: dict[str, pd.DataFrame | None] = {}
    other_firms: set[str] = set()
    for role in ("complaints", "redress", "context"):
        frame = getattr(text, role)
        if frame is None:
            kept[role] = None
            continue
        of_others = frame["firm_frn"].isin(others).to_numpy(dtype=bool)
        skipped.rows[role] = int(of_others.sum())
        other_firms |= set(frame.loc[of_others, "firm_frn"].unique())
        if skipped.rows[role]:
            # A fresh RangeIndex: later steps address complaints by position (classify.redress_lines); the
            # hash and columns of the file as read (attrs) stay with it.
            frame = rows_where(frame, ~of_others)
        kept[role] = frame
    skipped.firms = len(other_firms)
    return (
        TextInputs(
            kept["complaints"],
            text.complaints_name,
            kept["redress"],
            text.redress_name,
            kept["context"],
            text.context_name,
        ),
        skipped,
    )


# --------------------------------------------------------------------------- validate and classify


def prepare_from_text(config: Config, text: TextInputs, report: ValidationReport) -> Prepared:
    """Type and classify inputs that passed validation."""
    complaints = _without_attrs(to_typed(text.complaints, load_schema("complaints")))
    redress = _without_attrs(to_typed(text.redress, load_schema("redress"))) if text.redress is not None else None
    context = _without_attrs(to_typed(text.context, load_schema("context"))) if text.context is not None else None
    return Prepared(config, classify(complaints, config), redress_lines(complaints, redress), context, report)


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the facts of the file it was read from (hash, header report): reading and validation
    have used them, and pandas deep-copies `attrs` into every frame derived from this one, thousands of times
    in a group's build."""
    frame.attrs = {}
    return frame


# --------------------------------------------------------------------------- plan and build

REPORTED_JOINTLY = "reported_jointly_by_group"
"""Rule of the warning on a firm's own return that a group reports jointly for it (docs/rules.md "Joint reports")."""


@dataclass
class Plan:
    """What the entity owes for the period: the returns to build and the ones skipped, with the reason."""

    entity: str
    period_end: dt.date
    due: list[schedule.Due]
    skipped: list[schedule.Skipped]

    @property
    def frns(self) -> list[str]:
        """Every firm a planned return covers (a group's members, or the firm)."""
        return list(dict.fromkeys(firm.frn for item in self.due for firm in item.firms))


def plan_returns(config: Config, entity: str, period_end: dt.date) -> Plan:
    """schedule.plan over the registry's planned returns (the summaries are decided after their report is built).

    Raises:
        InputError: unknown entity, mixed ARDs or frequencies in a group, a date that ends no period.
    """
    due, skipped = schedule.plan(config, entity, period_end, set(planned_returns()))
    return Plan(entity, period_end, due, skipped)


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


def inputs_for(prepared: Prepared, item: schedule.Due) -> BuildInputs:
    """What one planned return is built from: the complaints of the firms it covers (a member's own return in a
    group run scans its rows, not the group's); a member's nil return is built over none of its complaints."""
    complaints = prepared.complaints.iloc[0:0] if item.nil_for else prepared.rows_of([f.frn for f in item.firms])
    return BuildInputs(complaints, prepared.redress_lines, prepared.context, prepared.config, item.firms, item.period)


def build_due(prepared: Prepared, item: schedule.Due) -> ReturnResult:
    """Build one planned return; a member's nil return is the same builder over none of its complaints."""
    return _build(inputs_for(prepared, item), item)


def _build(inputs: BuildInputs, item: schedule.Due) -> ReturnResult:
    result = RETURNS[item.return_code].build(inputs)
    result.stem = item.stem
    return result


def nil_return_for(built: ReturnResult, item: schedule.Due) -> ReturnResult:
    """A member's nil return of a joint item (DISP 1.10.1C), from another member's nil return of the same item
    and period whose configuration answers it shows agree (the registry's `nil_shows`): built over no complaints,
    a return differs from member to member only in the firm it is for, since every table cell is blank (docs/rules.md
    "Nil return and blanks"). A group of 184 members then builds one nil return instead of 183; tests compare
    each with its own build."""
    # A new document sharing the template's blank tables (no document is changed once built): a deep copy of
    # every table for each of 183 members cost more than building them.
    document = {
        **built.document,
        "reporting_firm": item.firms[0].frn,
        "firms": [firm.frn for firm in item.firms],
        "header": {**built.document["header"], **group_header_of(item.firms)},
    }
    return ReturnResult(document, built.lineage.iloc[0:0], None, stem=item.stem)


def build_planned(prepared: Prepared, plan: Plan) -> Built:
    """Build every planned return, with the publication summary (the registry's `summary`) where a report
    reaches its threshold (DISP 1.10A.1R): of an Annex 1 report, or of the Annex 1AB report of a firm with
    permission only for claims management (DISP 1.10A.1R(1A)(aa)). A summary is built from the same inputs
    as its report, so it reuses the figures the report's build computed."""
    results, skipped = [], list(plan.skipped)
    nil_templates: dict[tuple, ReturnResult] = {}
    for item in plan.due:
        if item.nil_for:  # a member's nil return of a joint item: built once, then given each member's FRN
            shown = tuple(getattr(item.firms[0], name) for name in RETURNS[item.return_code].nil_shows)
            key = (item.return_code, item.period, shown)
            if key not in nil_templates:
                nil_templates[key] = build_due(prepared, item)
            results.append(nil_return_for(nil_templates[key], item))
            continue
        inputs = inputs_for(prepared, item)
        result = _build(inputs, item)
        joint = reported_jointly_warning(prepared.config, plan.entity, item.return_code)
        if joint is not None:
            result.warnings = pd.concat([w for w in (result.warnings, joint) if w is not None], ignore_index=True)
        results.append(result)
        summary = RETURNS[item.return_code].summary
        if summary is None or item.nil_for or not schedule.summary_can_be_owed(item.firms[0], item.return_code):
            continue
        required, reason = summary.decide(inputs)
        stem = item.stem.replace(item.return_code, summary.code, 1)
        if required:
            built = summary.build(inputs)
            built.stem = stem
            results.append(built)
        else:
            skipped.append(schedule.Skipped(stem, reason))
    return Built(results, skipped)


def build_all(prepared: Prepared, entity: str, period_end: dt.date) -> Built:
    """Plan and build every return the entity owes for the period ending `period_end`."""
    return build_planned(prepared, plan_returns(prepared.config, entity, period_end))


# --------------------------------------------------------------------------- the two halves of a run


@dataclass
class Started:
    """A run after reading and planning, before validation: everything `finish` needs."""

    paths: InputPaths
    config: Config
    text: TextInputs | None
    """The entity's rows of every input as read (keep_entity_rows); `finish` lets go of them once they are
    classified, since on a market-sized extract the text is the largest thing the run holds."""
    read: dict[str, InputRead]
    """Every input file with the hash and size of the bytes parsed, and its rows as read."""
    rows_read: dict[str, int]
    plan: Plan
    other_firms: OtherFirmsRows
    mapping: Mapping | None = None
    """The mapping the export was read with (recorded in the manifest, run id, review page and Run sheet)."""


def start(paths: InputPaths, entity: str, period_end: dt.date) -> Started:
    """Read the inputs, plan the entity's returns (once) and keep the rows of the firms they cover.

    Raises:
        InputError: unreadable input, bad configuration, unknown entity or a date that ends no period.
    """
    config = load_config(paths.config)
    plan = plan_returns(config, entity, period_end)  # unknown entity, mixed ARDs, wrong date: fail before work
    warm_up()  # great-expectations loads while the inputs are read
    text = read_files(paths)
    rows_read = {"complaints": len(text.complaints)}
    rows_read |= {role: len(frame) for role in ("redress", "context") if (frame := getattr(text, role)) is not None}
    read = inputs_as_read(paths, config, text)
    frns = plan.frns or [firm.frn for firm in config.entity_firms(entity)]
    kept, other_firms = keep_entity_rows(text, config, frns)
    return Started(paths, config, kept, read, rows_read, plan, other_firms, mapping_of(text))


@dataclass
class Finished:
    report: ValidationReport
    prepared: Prepared
    built: Built


def finish(started: Started, step: Progress) -> Finished:
    """Validate, classify and build every planned return.

    Raises:
        ValidationFailed: the entity's rows have errors (the exception carries the full report).
    """
    text = started.text
    if text is None:
        raise RuntimeError("finish() runs once per start(): its inputs were already classified")
    step(f"validating {len(text.complaints):,} complaints with expectations/ suites and named checks")
    try:
        report = validate_inputs(text, started.config)
    finally:
        validation_helper.validated()  # the command's helper ends here (reportkit.validation.helper)
    if not report.ok:
        raise ValidationFailed(report)
    step(f"classifying {len(text.complaints):,} complaints (scope, upheld, business-day bands)")
    prepared = prepare_from_text(started.config, text, report)
    started.text = text = None  # the typed, classified frame replaces the text from here on
    step(f"building {len(started.plan.due)} return(s)")
    return Finished(report, prepared, build_planned(prepared, started.plan))
