"""Validation findings: every failing row, collected; capped when printed, complete when written.

Each finding names the file, line, complaint_id, column, value, rule and what was expected
(pandera's SchemaErrors and kedro's capped messages are the models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportkit.extract import row_word
from reportkit.safecsv import write_safe_csv
from reportkit.schema import load_schema

FINDING_COLUMNS = ["severity", "file", "line", "complaint_id", "firm_frn", "column", "value", "rule", "message"]
PERSONAL_DATA_COLUMNS = frozenset(load_schema("complaints").personal_data)
"""Columns marked personal_data in schemas/complaints.yaml: findings show them masked (messages, files, HTML)."""

PRINT_LIMIT = 20
"""How many findings a printed message shows; the files in validation/ hold all of them."""


def findings_frame(
    rows: pd.DataFrame,
    *,
    severity: str,
    file: str,
    column: str,
    rule: str,
    message: str,
    value_column: str | None = None,
) -> pd.DataFrame:
    """Shape the failing rows of one rule into findings (vectorised: one frame per rule, never per row).

    Args:
        rows: the failing rows, with complaint_id/firm_frn/_line where the file has them.
        value_column: the column whose value is reported (defaults to `column`).
    """
    source = value_column or column
    n = len(rows)
    masked = source in PERSONAL_DATA_COLUMNS

    def pick(name: str) -> pd.Series | list:
        return rows[name].to_numpy() if name in rows.columns else [None] * n

    return pd.DataFrame(
        {
            "severity": [severity] * n,
            "file": [file] * n,
            "line": pick("_line"),
            # An id is any text, a 200 KB one too: kept whole up to ID_LIMIT characters, where any real id ends.
            "complaint_id": shorten_values(pick("complaint_id"), ID_LIMIT),
            "firm_frn": shorten_values(pick("firm_frn"), ID_LIMIT),
            "column": [column] * n,
            "value": mask_values(pick(source)) if masked else shorten_values(pick(source)),
            "rule": [rule] * n,
            "message": [message] * n,
        },
        columns=FINDING_COLUMNS,
    )


VALUE_LIMIT = 60
"""Characters of a bad value a finding repeats; a longer one is cut and its length given."""


ID_LIMIT = 200
"""Characters of a complaint id or FRN a finding repeats; a longer one (a broken export) is cut likewise."""


def shorten_values(values, limit: int = VALUE_LIMIT) -> pd.Series | list:
    """Bad values as findings show them: at most `limit` characters, then "... (N characters)"."""
    series = pd.Series(values, dtype=object)
    text = series.astype("string")
    long = text.str.len().fillna(0).astype(int) > limit
    if not long.any():
        return values
    cut = text.str.slice(0, limit) + "... (" + text.str.len().astype("string") + " characters)"
    return series.where(~long, cut.astype(object)).to_numpy()


def mask_value(value: object) -> object:
    """Mask a personal value entirely, one asterisk per character: "AB123456C" -> "*********". No character is
    kept: even the first two of a date of birth (its century) or an NI number (its prefix) are personal data;
    the finding's complaint id and line say where to look."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value)
    if len(text) > VALUE_LIMIT:  # as shorten_values cuts any other value
        return "*" * VALUE_LIMIT + f"... ({len(text)} characters)"
    return "*" * max(len(text), 1)


def mask_values(values) -> list:
    return [mask_value(v) for v in values]


@dataclass
class ValidationReport:
    """All errors and warnings of one validation; errors stop a run, warnings do not."""

    parts: list[pd.DataFrame] = field(default_factory=list)
    ran: list[tuple[str, str, int]] = field(default_factory=list)
    """(file, rule, rows checked) of every check that ran, in the order they ran: what a clean report proves."""
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    """(file, column) -> worksheet column letter for a workbook input: its findings name the cell (`B17`)."""
    mapped: pd.DataFrame | None = None
    """What a mapping did, value by value (validation.mapped.mapped_values), written as mapping.csv; None without
    a mapping."""

    def add(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self.parts.append(frame)

    def record(self, file: str, rules: list[str], rows: int) -> None:
        """Note that `rules` ran on the `rows` rows of `file` (whether or not they found anything)."""
        self.ran.extend((file, rule, rows) for rule in rules)

    @property
    def checks(self) -> pd.DataFrame:
        """Every check that ran: file, rule, rows checked, and its errors and warnings (0 when clean)."""
        ran = pd.DataFrame(self.ran, columns=["file", "rule", "rows_checked"]).drop_duplicates(["file", "rule"])
        found = self.findings
        counts = (
            found.groupby(["file", "rule", "severity"]).size().unstack("severity")
            if len(found)
            else pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["file", "rule"]))
        ).reindex(columns=["error", "warning"])
        merged = ran.join(counts, on=["file", "rule"]).fillna({"error": 0, "warning": 0})
        return merged.astype({"error": "int64", "warning": "int64"}).rename(
            columns={"error": "errors", "warning": "warnings"}
        )

    def extend(self, other: "ValidationReport") -> None:
        self.parts.extend(other.parts)

    def merge(self, other: "ValidationReport") -> None:
        """Add what `other` found and the checks it ran, after this report's own."""
        self.parts.extend(other.parts)
        self.ran.extend(other.ran)

    @property
    def findings(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=FINDING_COLUMNS)
        frame = pd.concat(self.parts, ignore_index=True)
        return frame.sort_values(["severity", "file", "line", "rule"], kind="stable", ignore_index=True)

    @property
    def errors(self) -> pd.DataFrame:
        frame = self.findings
        return frame[frame["severity"] == "error"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        frame = self.findings
        return frame[frame["severity"] == "warning"].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        return self.errors.empty

    def describe(self, row: pd.Series) -> str:
        where = f"{row['file']}"
        letter = self.cells.get((str(row["file"]), str(row["column"])))
        if pd.notna(row["line"]) and letter:
            where += f" cell {letter}{int(row['line'])}"
        elif pd.notna(row["line"]):
            where += f" {row_word(str(row['file']))} {int(row['line'])}"
        who = f"complaint {row['complaint_id']}" if pd.notna(row["complaint_id"]) and row["complaint_id"] else "row"
        value = (
            "(empty)"
            if row["value"] is None or (isinstance(row["value"], float) and pd.isna(row["value"]))
            else repr(str(row["value"]))
        )
        return f"{where}: {who}, column {row['column']}, value {value}: {row['rule']}: {row['message']}"

    def summary(self, limit: int = PRINT_LIMIT) -> str:
        """A capped, human-readable account: counts by rule, then the first `limit` errors."""
        errors, warnings = self.errors, self.warnings
        lines = [f"validation: {len(errors)} error(s), {len(warnings)} warning(s)"]
        for label, frame in (("errors", errors), ("warnings", warnings)):
            if frame.empty:
                continue
            counts = frame.groupby("rule", sort=True).size()
            lines.append(f"{label} by rule: " + ", ".join(f"{rule} {n}" for rule, n in counts.items()))
            shown = frame.head(limit)
            lines.extend("  " + self.describe(row) for _, row in shown.iterrows())
            if len(frame) > limit:
                lines.append(f"  ... and {len(frame) - limit} more {label}")
        return "\n".join(lines)

    def write(self, folder: Path) -> Path:
        """Write errors.csv and warnings.csv (every finding) and checks.csv (every check that ran, with the rows
        it checked) into `folder`; returns the folder."""
        folder.mkdir(parents=True, exist_ok=True)
        write_safe_csv(self.checks, folder / "checks.csv")
        write_safe_csv(self.errors, folder / "errors.csv")
        write_safe_csv(self.warnings, folder / "warnings.csv")
        if self.mapped is not None:
            write_safe_csv(self.mapped, folder / "mapping.csv")
        return folder
