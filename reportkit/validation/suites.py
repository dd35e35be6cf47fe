"""Running the great-expectations 1.x suites stored in expectations/ against a loaded frame.

A suite file is a plain GX suite; a value_set may be a reference, resolved here so that each code
list has one home: {"$taxonomy": "<list>"} (schemas/taxonomy.yaml) or {"$config": "frns"}.
Each expectation's meta carries the rule name and the message our findings use.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from reportkit.distinct import distinct_rows
from reportkit.paths import EXPECTATIONS_DIR
from reportkit.taxonomy import load_taxonomy
from reportkit.validation import helper
from reportkit.validation.report import findings_frame

_names = itertools.count()


def load_suite_file(name: str, references: dict[str, list[str]]) -> dict[str, Any]:
    """Read expectations/<name>.json and resolve its $taxonomy/$config references."""
    with open(EXPECTATIONS_DIR / f"{name}.json", encoding="utf-8") as handle:
        suite = json.load(handle)
    taxonomy = load_taxonomy()
    resolved = copy.deepcopy(suite)
    for expectation in resolved["expectations"]:
        value_set = expectation["kwargs"].get("value_set")
        if isinstance(value_set, dict):
            if "$taxonomy" in value_set:
                expectation["kwargs"]["value_set"] = taxonomy.codes(value_set["$taxonomy"])
            elif "$config" in value_set:
                expectation["kwargs"]["value_set"] = list(references[value_set["$config"]])
            else:
                raise ValueError(f"expectations/{name}.json: unknown value_set reference {value_set}")
    return resolved


def suite_rules(name: str) -> list[str]:
    """The rule of every expectation in expectations/<name>.json, as findings name it."""
    with open(EXPECTATIONS_DIR / f"{name}.json", encoding="utf-8") as handle:
        suite = json.load(handle)
    return [e.get("meta", {}).get("rule", e["type"]) for e in suite["expectations"]]


_context_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, context


def _context():
    """One ephemeral GX context per process (the validation helper's): importing GX costs seconds, so do it
    once, lazily."""
    with _context_lock:
        return _cached_context()


PRIMER = {
    "name": "primer",
    "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a", "value_set": ["x"]}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}},
    ],
}
"""A two-row suite the helper runs as it starts, failing both ways: great-expectations does a good second of
set-up on its first validation of each kind and result format, which then overlaps reading the inputs."""


def _prime() -> None:
    """The validation helper's warm-up: import great-expectations, make its context, run PRIMER."""
    frame = pd.DataFrame({"a": ["x", "y", "y"], "b": [1, 2, 2], ROW: [0, 1, 2]})
    list(_failures_here(frame, PRIMER, [ROW]))


def warm_up() -> None:
    """Start the validation helper (reportkit.validation.helper) now, so that great-expectations loads and warms
    up in its own process while this one reads the inputs. A failure there is left to the first real use, which
    raises it where it can be reported."""
    helper.start(_prime)


def _validate(frame: pd.DataFrame, suite_data: dict[str, Any], result_format: Any):
    """Run one suite over the frame in a fresh batch; returns the GX validation result."""
    gx, context = _context()
    n = next(_names)
    suite = context.suites.add(gx.ExpectationSuite(**{**suite_data, "name": f"{suite_data['name']}-{n}"}))
    source = context.data_sources.add_pandas(f"source-{n}")
    batch_definition = source.add_dataframe_asset(f"asset-{n}").add_batch_definition_whole_dataframe(f"batch-{n}")
    try:
        return batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format=result_format
        )
    finally:
        context.suites.delete(suite.name)
        context.data_sources.delete(f"source-{n}")


def _raise_if_broken(name: str, outcome) -> None:
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        config = outcome.expectation_config
        column = config.kwargs.get("column") or config.kwargs.get("column_list")
        raise RuntimeError(
            f"expectations/{name}.json: {config.type} on {column} could not run: "
            f"{outcome.exception_info.get('exception_message')}"
        )


VALUE_RULES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_match_regex",
    }
)
"""Expectations whose answer for a row depends only on that row's values (of its column and of the columns its
row_condition names): they are evaluated once per distinct combination of those values, which gives the same
findings as every row at a fraction of the work (an extract of 2 million rows has a few hundred distinct dates
and codes). Every other expectation (uniqueness, row counts) runs on the whole column."""

IDENTITY_RULES = frozenset(
    {
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
        "expect_multicolumn_values_to_be_unique",
    }
)
"""Whole-column rules that ask only whether values are equal: they run on the columns' factorized codes (equal
values, equal codes; empty stays empty), which great-expectations hashes and compares several times faster than
text."""

ROW = "_row"
"""The column that carries each row's position in the extract through a whole-column rule."""

NULL_RULES = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"})

DISTINCT_ROW = "_distinct_row"
"""The column of the distinct-value frame that says which distinct combination a row is."""


def _condition_columns(expectation: dict[str, Any], columns: list[str]) -> list[str]:
    """The frame's columns a row_condition names (`closed_date.notnull()` -> [closed_date])."""
    condition = expectation["kwargs"].get("row_condition") or ""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", condition))
    return [c for c in columns if c in words]


def _involved(expectation: dict[str, Any], columns: list[str]) -> list[str]:
    column = expectation["kwargs"]["column"]
    return [column, *[c for c in _condition_columns(expectation, columns) if c != column]]


@dataclass
class DistinctGroup:
    """Columns evaluated together (linked by row_conditions) and, per row of the extract, its combination."""

    columns: list[str]
    inverse: np.ndarray
    """For each row of the extract, the number of its distinct combination."""
    distinct: pd.DataFrame
    """One row per distinct combination, in order of first appearance."""


def _null_only(expectations: list[dict[str, Any]], columns: list[str]) -> set[str]:
    """Columns whose value rules only ask null or not (complaint_id): keyed by null-ness, not by value, since
    every value of a unique identifier is distinct."""
    used: dict[str, bool] = {}
    for expectation in expectations:
        column = expectation["kwargs"]["column"]
        null_test = expectation["type"] in NULL_RULES and not expectation["kwargs"].get("row_condition")
        used[column] = used.get(column, True) and null_test
        for other in _condition_columns(expectation, columns):
            if other != column:
                used[other] = False
    return {column for column, only in used.items() if only}


def distinct_groups(frame: pd.DataFrame, expectations: list[dict[str, Any]]) -> list[DistinctGroup]:
    """Group the columns of the value rules (a row_condition links its columns) and find each group's distinct
    combinations, vectorised (reportkit.distinct.distinct_rows: factorize, combine, hash)."""
    columns = list(frame.columns)
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for expectation in expectations:
        first, *rest = _involved(expectation, columns)
        root(first)
        for other in rest:
            parent[root(other)] = root(first)
    members: dict[str, list[str]] = {}
    for column in parent:
        members.setdefault(root(column), []).append(column)
    null_only = _null_only(expectations, columns)
    groups = []
    for names in members.values():
        names = [c for c in columns if c in names] + [c for c in names if c not in columns]
        present = [c for c in names if c in columns]
        # A column asked only null-or-not is keyed by its null-ness: two combinations, whatever the values.
        keys = pd.DataFrame({c: frame[c].isna() if c in null_only else frame[c] for c in present})
        first, inverse = distinct_rows(keys)
        distinct = frame[present].iloc[first].reset_index(drop=True)
        groups.append(DistinctGroup(present, inverse, distinct))
    return groups


def distinct_frame(groups: list[DistinctGroup]) -> pd.DataFrame:
    """One small frame holding every group's distinct combinations side by side; a group with fewer rows than
    the longest repeats its combinations, which changes no value rule's answer. DISTINCT_ROW numbers the rows."""
    length = max((len(g.distinct) for g in groups), default=0)
    parts = [pd.DataFrame({DISTINCT_ROW: np.arange(length)})]
    for group in groups:
        n = len(group.distinct)
        positions = np.arange(length) % n if n else np.zeros(0, dtype=int)
        parts.append(group.distinct.iloc[positions].reset_index(drop=True))
    return pd.concat(parts, axis=1)


def _failing_rows(frame: pd.DataFrame, group: DistinctGroup, distinct_rows: pd.Series) -> np.ndarray:
    """The extract's rows whose combination is one of the failing rows of the distinct frame."""
    failing = np.unique(distinct_rows.to_numpy(dtype=np.int64) % max(len(group.distinct), 1))
    return np.isin(group.inverse, failing)


class SuiteRun:
    """A suite sent to the validation helper (begin_suite); `findings()` waits for it and maps its failures back
    to the extract's rows."""

    def __init__(self, frame: pd.DataFrame, file_label: str, index_columns: list[str]) -> None:
        self.frame, self.file_label, self.index_columns = frame, file_label, index_columns
        self.by_column: dict[str, DistinctGroup] = {}
        self.kinds: list[str] = []
        self.pending: helper.Pending | None = None

    def findings(self) -> list[pd.DataFrame]:
        """One findings frame per failed expectation, value rules first, as the suite's expectations run."""
        if self.pending is None:
            return []
        frame, index_columns, found = self.frame, self.index_columns, []
        for kind, failures in zip(self.kinds, self.pending.result(), strict=True):
            for expectation, failing in failures:
                column = expectation.kwargs.get("column")
                if kind == DISTINCT_ROW:
                    rows = frame.loc[_failing_rows(frame, self.by_column[column], failing[DISTINCT_ROW]), index_columns]
                    rows[column] = frame.loc[rows.index, column]
                else:
                    rows = frame.iloc[failing[ROW].to_numpy(dtype=np.int64)]
                    rows = rows[[*index_columns, *([column] if column else [])]]
                found.append(_findings(expectation, rows, self.file_label))
        return found


def begin_suite(frame: pd.DataFrame, name: str, file_label: str, references: dict[str, list[str]]) -> SuiteRun:
    """Send expectations/<name>.json over `frame` to the validation helper and return at once (SuiteRun).

    Value rules (VALUE_RULES) run once over the distinct values of their columns, the rest over the whole
    columns they name. Two passes each: every expectation with a pass/fail answer only, then the failed ones
    again listing their failing rows, mapped back to the extract's rows.

    Args:
        frame: the text frame, with complaint_id (where the file has it) and _line columns.
        file_label: how the file is named in findings (its file name).
        references: values for {"$config": ...} references, e.g. {"frns": [...]}.
    """
    suite_data = load_suite_file(name, references)
    frame = frame.reset_index(drop=True)
    value_rules = [e for e in suite_data["expectations"] if e["type"] in VALUE_RULES]
    column_rules = [e for e in suite_data["expectations"] if e["type"] not in VALUE_RULES]
    run = SuiteRun(frame, file_label, [c for c in ("complaint_id", "firm_frn", "_line") if c in frame.columns])
    requests = []
    if value_rules:
        groups = distinct_groups(frame, value_rules)
        run.by_column = {c: g for g in groups for c in g.columns}
        requests.append((distinct_frame(groups), {**suite_data, "expectations": value_rules}, [DISTINCT_ROW]))
        run.kinds.append(DISTINCT_ROW)
    if column_rules:
        requests.append((column_frame(frame, column_rules), {**suite_data, "expectations": column_rules}, [ROW]))
        run.kinds.append(ROW)
    if requests:
        run.pending = helper.submit(failures_of, requests)
    return run


def run_suite(frame: pd.DataFrame, name: str, file_label: str, references: dict[str, list[str]]) -> list[pd.DataFrame]:
    """Validate `frame` with expectations/<name>.json; return one findings frame per failed expectation
    (begin_suite, waited for)."""
    return begin_suite(frame, name, file_label, references).findings()


def column_frame(frame: pd.DataFrame, expectations: list[dict[str, Any]]) -> pd.DataFrame:
    """The columns the whole-column rules name, as codes where a rule only compares values (IDENTITY_RULES),
    and ROW, each row's position in the extract."""
    coded: dict[str, Any] = {ROW: np.arange(len(frame))}
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        for column in [kwargs.get("column"), *kwargs.get("column_list", [])]:
            if column and column in frame.columns and column not in coded:
                coded[column] = _codes(frame[column]) if expectation["type"] in IDENTITY_RULES else frame[column]
    return pd.DataFrame(coded)


def _codes(values: pd.Series) -> np.ndarray:
    codes = pd.factorize(values, use_na_sentinel=True)[0].astype(np.float64)
    codes[codes < 0] = np.nan  # an empty value stays empty, as the rule's missing-value handling expects
    return codes


@dataclass(frozen=True)
class Failed:
    """A failed expectation as the findings need it (type, kwargs, meta), plain enough to cross processes."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]


def failures_of(
    requests: list[tuple[pd.DataFrame, dict[str, Any], list[str]]],
) -> list[list[tuple[Failed, pd.DataFrame]]]:
    """The failures of each (frame, suite, index columns) request (_failures_here): what the helper runs."""
    return [list(_failures_here(frame, suite_data, index_columns)) for frame, suite_data, index_columns in requests]


def _failures(frame: pd.DataFrame, suite_data: dict[str, Any], index_columns: list[str]):
    """(expectation, failing rows) of every expectation of the suite that fails on `frame`, from the helper."""
    return helper.call(failures_of, [(frame, suite_data, index_columns)])[0]


def _failures_here(frame: pd.DataFrame, suite_data: dict[str, Any], index_columns: list[str]):
    """(expectation, failing rows) of every expectation of the suite that fails on `frame`, in this process."""
    name = suite_data["name"]
    first = _validate(frame, suite_data, "BOOLEAN_ONLY")
    for outcome in first.results:
        _raise_if_broken(name, outcome)
    failed = [i for i, outcome in enumerate(first.results) if not outcome.success]
    if not failed:
        return
    failing_suite = {**suite_data, "expectations": [_expectation_data(first.results[i]) for i in failed]}
    second = _validate(
        frame, failing_suite, {"result_format": "COMPLETE", "unexpected_index_column_names": index_columns}
    )
    for outcome in second.results:
        _raise_if_broken(name, outcome)
        failing = pd.DataFrame(outcome.result.get("unexpected_index_list") or [])
        if outcome.success or failing.empty:
            continue
        yield Failed(**_expectation_data(outcome)), failing


def _findings(config, failing: pd.DataFrame, file_label: str) -> pd.DataFrame:
    """The findings of one failed expectation, from its failing rows of the extract."""
    meta = config.meta or {}
    kwargs = config.kwargs
    column = kwargs.get("column") or ",".join(kwargs.get("column_list", []))
    value_column = column if column in failing.columns else None
    if value_column is None and "column_list" in kwargs:  # compound key: report the complaint_id
        value_column = "complaint_id"
    return findings_frame(
        failing,
        severity="error",
        file=file_label,
        column=column,
        rule=meta.get("rule", config.type),
        message=meta.get("message", config.type),
        value_column=value_column,
    )


def _expectation_data(outcome) -> dict[str, Any]:
    """An expectation of a result, back in the suite file's form."""
    config = outcome.expectation_config
    return {"type": config.type, "kwargs": dict(config.kwargs), "meta": dict(config.meta or {})}
