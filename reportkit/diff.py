"""`reportkit diff RUN_A RUN_B`: the figures that differ between two runs of one period (a restatement).

Reads returns/*.json of both run folders only (never the inputs): every header answer and every table cell
whose value differs, and every return found in one run only. Two runs of different entities or period ends
are refused. Exit status, like diff(1): 0 no differences, 1 differences, 2 usage error.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.errors import InputError
from reportkit.layouts import document_layout, row_names
from reportkit.rundir import RunFolder, open_run

MISSING = "(absent)"
"""How a value shows when the return, table, row or column is not in one of the runs."""


@dataclass(frozen=True)
class Change:
    """One figure that differs: `table` and `column` are "header" and the question code for header answers."""

    stem: str
    table: str
    row: str
    column: str
    before: Any
    after: Any


def _returns(run: RunFolder) -> dict[str, dict[str, Any]]:
    folder = run.folder / "returns"
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}


def _shown(value: Any) -> str:
    if value is MISSING:
        return MISSING
    return "blank" if value is None else json.dumps(value, ensure_ascii=False)


def _cells(document: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """(table, row, column) -> value of every header answer and table cell of a return document."""
    cells: dict[tuple[str, str, str], Any] = {("header", "", key): value for key, value in document["header"].items()}
    for key in ("nil_return", "firms", "period"):
        cells[("return", "", key)] = document.get(key)
    for table, rows in document["tables"].items():
        for row, columns in rows.items():
            for column, value in columns.items():
                cells[(table, row, column)] = value
    return cells


def _personal_rows(document: dict[str, Any] | None) -> set[str]:
    """The tables of a return whose row keys are personal data (Annex 1C's advisers)."""
    if document is None:
        return set()
    tables = document_layout(document).tables
    return {key for key, spec in tables.items() if spec.row_dimension == "adviser_key"}


def _adviser_name(table: str, key: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """An adviser row (personal data) as each run's pages name it ("Adviser 2 (keyed by IRN)", its place in that
    run's table): once when both runs name it alike, else what each run calls it."""
    a = row_names(before, table).get(key) if before is not None else None
    b = row_names(after, table).get(key) if after is not None else None
    if a is not None and b is not None:
        return a if a == b else f"{a} in run A, {b} in run B"
    if a is not None:
        return f"{a} in run A only" if after is not None else a
    if b is not None:
        return f"{b} in run B only" if before is not None else b
    return "an adviser in neither run's table"


def diff_documents(stem: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """Every figure of one return that differs between two runs (a return in one run only: all its figures).
    An adviser's row key (IRN, NI number, passport, date of birth) is never shown, in text or HTML: each adviser
    is named as each run's pages name it ("Adviser 2 (keyed by IRN)", its place in that run's table)."""
    old = _cells(before) if before is not None else {}
    new = _cells(after) if after is not None else {}
    personal = _personal_rows(before) | _personal_rows(after)
    return [
        Change(stem, table, _adviser_name(table, row, before, after) if table in personal else row, column,
               old.get(key, MISSING), new.get(key, MISSING))
        for key in list(old) + [k for k in new if k not in old]
        for table, row, column in [key]
        if old.get(key, MISSING) != new.get(key, MISSING)
    ]  # fmt: skip


@dataclass
class RunDiff:
    """The differences between two runs of one entity and period."""

    run_a: Path
    run_b: Path
    entity: str
    period_end: str
    changes: list[Change]
    only_a: list[str]
    only_b: list[str]
    compared: list[str]

    @property
    def same(self) -> bool:
        return not self.changes

    def lines(self) -> list[str]:
        """The text report: one line per differing figure, "before -> after"."""
        if self.same:
            return [f"no differences in {len(self.compared)} return(s) of {self.entity} {self.period_end}"]
        lines = [f"only in {self.run_a}: returns/{stem}.json" for stem in self.only_a]
        lines += [f"only in {self.run_b}: returns/{stem}.json" for stem in self.only_b]
        for c in self.changes:
            where = (
                f"{c.stem} header {c.column}"
                if c.table in ("header", "return")
                else (f"{c.stem} table {c.table} row {c.row} column {c.column}")
            )
            lines.append(f"{where}: {_shown(c.before)} -> {_shown(c.after)}")
        lines.append(f"{len(self.changes)} figure(s) differ in {self.entity} {self.period_end}")
        return lines

    def html(self) -> str:
        """A self-contained page (no script, no style sheet or font from elsewhere) with one table of changes."""
        title = f"Differences between two runs of {self.entity} for the period ending {self.period_end}"
        esc = html.escape
        rows = "\n".join(
            f"<tr><td>{esc(c.stem)}</td><td>{esc(c.table)}</td><td>{esc(c.row)}</td><td>{esc(c.column)}</td>"
            f"<td>{esc(_shown(c.before))}</td><td>{esc(_shown(c.after))}</td></tr>"
            for c in self.changes
        )
        body = (
            f"<p>{len(self.changes)} figure(s) differ.</p>\n<table>\n<caption>Figures that differ</caption>\n"
            '<thead><tr><th scope="col">Return</th><th scope="col">Table</th><th scope="col">Row</th>'
            '<th scope="col">Column</th><th scope="col">Before (run A)</th><th scope="col">After (run B)</th>'
            f"</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
            if self.changes
            else f"<p>No differences in {len(self.compared)} return(s).</p>"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{esc(title)}</title>\n"
            "<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse}"
            "th,td{border:1px solid #555;padding:.3em .6em;text-align:left}caption{text-align:left;font-weight:bold}"
            "</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{esc(title)}</h1>\n<p>Run A: {esc(str(self.run_a))}<br>Run B: {esc(str(self.run_b))}</p>\n"
            f"{body}\n</main>\n</body>\n</html>\n"
        )


def diff_runs(run_a: Path, run_b: Path) -> RunDiff:
    """The figures that differ between two runs of one entity and period.

    Raises:
        InputError: a folder is not a finished run, or the two runs are of different entities or period ends.
    """
    a, b = open_run(run_a), open_run(run_b)
    if (a.entity, a.period_end) != (b.entity, b.period_end):
        raise InputError(
            f"the runs are of different periods: {run_a} is {a.entity} {a.period_end}, {run_b} is "
            f"{b.entity} {b.period_end}; diff compares two runs of one entity and period end"
        )
    before, after = _returns(a), _returns(b)
    changes = [
        change
        for stem in list(before) + [s for s in after if s not in before]
        for change in diff_documents(stem, before.get(stem), after.get(stem))
    ]
    return RunDiff(
        Path(run_a),
        Path(run_b),
        a.entity,
        a.period_end.isoformat(),
        changes,
        [s for s in before if s not in after],
        [s for s in after if s not in before],
        [s for s in before if s in after],
    )
