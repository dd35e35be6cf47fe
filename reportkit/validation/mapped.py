"""Validation of an export read through a mapping (reportkit.mapping): what the mapping left unmapped, dates not
in its format, and findings shown as the user's file has them.

The suites validate the mapped frame (codes, YYYY-MM-DD dates), so their rules stay in one place; this module adds
the mapping's own findings and translates every finding back: the column by the export's header, the value as
exported (`Home Insuranse`, not a code it never became), and in a workbook the cell (`B17`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.extract import CELL_LETTERS, LINE_COLUMN
from reportkit.mapping import (
    MAPPED,
    NOT_IN_FORMAT,
    SOURCE_HEADERS,
    SOURCE_PREFIX,
    Mapping,
    code_hint,
    coded_columns,
    date_columns,
)
from reportkit.validation.report import PERSONAL_DATA_COLUMNS, findings_frame

UNMAPPED_VALUE = "unmapped_value"
"""Rule of the one error per column listing every distinct value that is neither mapped nor a code."""
DATE_NOT_IN_FORMAT = "date_not_in_mapping_format"
"""Rule of a date that does not match the mapping's `dates: format` (it replaces the suite's date_format finding,
which would ask for YYYY-MM-DD where the user declared another form)."""
MAPPING_RULES = (UNMAPPED_VALUE, DATE_NOT_IN_FORMAT)

EXAMPLE_IDS = 3
"""Complaint ids an unmapped value's message gives (its count gives the rest)."""


def mapping_of(frame: pd.DataFrame | None) -> Mapping | None:
    return None if frame is None else frame.attrs.get(MAPPED)


def shown_column(frame: pd.DataFrame, column: str) -> str:
    """A column as the user knows it: `Product Type (product)` when the export named it so, else `product`."""
    source = frame.attrs.get(SOURCE_HEADERS, {}).get(column)
    return f"{source} ({column})" if source else column


def exported_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Each row's value of `column` as the export had it (the mapping's input), categorical."""
    return frame[SOURCE_PREFIX + column] if SOURCE_PREFIX + column in frame.columns else frame[column]


def unmapped_findings(frame: pd.DataFrame, file: str, label: str) -> pd.DataFrame:
    """One error per coded column listing every distinct value that is neither a code nor mapped to one, each with
    its count, up to three complaint ids and a did-you-mean against the codes and their labels. Found per
    distinct value (categories), never per row."""
    parts = []
    mapping = mapping_of(frame)
    for name, coded in coded_columns(file).items():
        if name not in frame.columns:
            continue
        values = frame[name]
        codes = values.cat.codes.to_numpy()
        bad_categories = ~pd.Index(values.cat.categories).isin(coded.codes)
        if not bad_categories.any():
            continue
        bad_rows = np.flatnonzero((codes >= 0) & bad_categories[np.maximum(codes, 0)])
        if not len(bad_rows):
            continue
        rows = frame.iloc[bad_rows]
        exported = exported_values(rows, name).astype(str)
        ids = rows["complaint_id"].astype(str) if "complaint_id" in rows.columns else pd.Series("", index=rows.index)
        grouped = pd.DataFrame({"value": exported.to_numpy(), "id": ids.to_numpy()}).groupby("value", sort=False)
        counts, examples = grouped.size(), grouped["id"].agg(lambda s: ", ".join(s.head(EXAMPLE_IDS)))
        described = []
        for value, count in counts.items():
            hint = code_hint(str(value), coded)
            meant = f"; did you mean `{hint}`{_label(coded.labels.get(hint))}?" if hint else ""
            described.append(f"{value!r} ({count} complaint(s): {examples[value]}{meant})")
        where = f"`values: {name}:` in {mapping.name}" if mapping is not None else f"`values: {name}:` in the mapping"
        listing = f"`reportkit codes {coded.list_name}`" if coded.list_name else ", ".join(coded.codes)
        parts.append(
            findings_frame(
                pd.DataFrame({"_line": [int(rows[LINE_COLUMN].min())], "value": [", ".join(map(str, counts.index))]}),
                severity="error",
                file=label,
                column=name,
                rule=UNMAPPED_VALUE,
                message=f"{len(counts)} value(s) neither mapped nor a {name} code: "
                + "; ".join(described)
                + f"; map each to a code under {where} (the codes: {listing})",
                value_column="value",
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else _none(label)


def _label(label: str | None) -> str:
    return f" ({label})" if label else ""


def _none(label: str) -> pd.DataFrame:
    return findings_frame(pd.DataFrame(), severity="error", file=label, column="", rule="", message="")


def date_findings(frame: pd.DataFrame, file: str, label: str) -> pd.DataFrame:
    """Each row whose date does not match the mapping's format (a value the mapping could not read stays as
    written, so it is not YYYY-MM-DD): the value, the format and the line. A personal-data date (an adviser's date
    of birth) is masked by findings_frame like every personal value."""
    mapping = mapping_of(frame)
    if mapping is None or not mapping.date_format:
        return _none(label)
    parts = []
    misfits = frame.attrs.get(NOT_IN_FORMAT, {})
    for name in date_columns(file):
        if name not in frame.columns or not misfits.get(name):
            continue
        failing = exported_values(frame, name).isin(misfits[name]).to_numpy(dtype=bool)
        if failing.any():
            parts.append(
                findings_frame(
                    frame[failing],
                    severity="error",
                    file=label,
                    column=name,
                    rule=DATE_NOT_IN_FORMAT,
                    message=f"does not match the mapping's date format {mapping.date_format!r} (`dates: format` in "
                    f"{mapping.name}); write every date of the export in that form",
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else _none(label)


def as_exported(findings: pd.DataFrame, frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Findings of one mapped file with each column named as the export names it and each value as exported
    (found by line, vectorised); the suite's date_format findings on a column the mapping reads with its own
    format are dropped where date_findings names the same row."""
    if not len(findings):
        return findings
    ours = findings["file"] == label
    if not ours.any():
        return findings
    findings = findings.copy()
    dated = findings.loc[ours & (findings["rule"] == DATE_NOT_IN_FORMAT), ["column", "line"]]
    if len(dated):
        key = pd.MultiIndex.from_frame(findings[["column", "line"]])
        twice = key.isin(pd.MultiIndex.from_frame(dated)) & ours.to_numpy() & (findings["rule"] == "date_format")
        findings = findings[~np.asarray(twice)].reset_index(drop=True)
        ours = findings["file"] == label
    lines = frame[LINE_COLUMN].to_numpy()
    for name in {c for c in findings.loc[ours, "column"].unique() if SOURCE_PREFIX + c in frame.columns}:
        if name in PERSONAL_DATA_COLUMNS:
            continue  # masked already: the original is never shown either
        rows = (ours & (findings["column"] == name) & (findings["rule"] != UNMAPPED_VALUE)).to_numpy()
        positions = np.searchsorted(lines, findings.loc[rows, "line"].to_numpy(dtype=np.int64))
        originals = frame[SOURCE_PREFIX + name].astype(object).to_numpy()
        findings.loc[rows, "value"] = originals[np.minimum(positions, len(lines) - 1)]
    shown = {c: shown_column(frame, c) for c in findings.loc[ours, "column"].unique()}
    findings.loc[ours, "column"] = findings.loc[ours, "column"].map(shown)
    return findings


def cell_letters(frame: pd.DataFrame | None, label: str) -> dict[tuple[str, str], str]:
    """(file, column as findings show it) -> worksheet column letter, for a workbook's messages (`cell B17`)."""
    if frame is None:
        return {}
    letters = frame.attrs.get(CELL_LETTERS, {})
    return {(label, shown_column(frame, c)): letter for c, letter in letters.items()}


def mapped_values(frame: pd.DataFrame | None, file: str, label: str) -> pd.DataFrame:
    """What the mapping did to one file, value by value: every column it changed, each distinct value as exported
    beside the value it became, with the number of rows (`Home Insurance` -> `property`, 40 rows). Personal-data
    columns are listed by count only."""
    columns = ["file", "column", "exported_column", "exported_value", "value", "rows"]
    if frame is None:
        return pd.DataFrame(columns=columns)
    sources = frame.attrs.get(SOURCE_HEADERS, {})
    parts = []
    for column in [c for c in frame.columns if str(c).startswith(SOURCE_PREFIX)]:
        name = column[len(SOURCE_PREFIX) :]
        pairs = pd.DataFrame({"exported_value": frame[column], "value": frame[name]})
        counted = pairs.groupby(["exported_value", "value"], observed=True, dropna=False).size()
        counted = counted[counted > 0].reset_index(name="rows")
        if name in PERSONAL_DATA_COLUMNS:
            counted = pd.DataFrame({"exported_value": ["(not shown)"], "value": ["(not shown)"], "rows": [len(frame)]})
        counted.insert(0, "exported_column", sources.get(name, name))
        counted.insert(0, "column", name)
        counted.insert(0, "file", label)
        parts.append(counted[columns])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
