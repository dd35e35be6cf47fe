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
from functools import lru_cache
from typing import Any

import pandas as pd

from reportkit.paths import EXPECTATIONS_DIR
from reportkit.taxonomy import load_taxonomy
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


@lru_cache(maxsize=1)
def _context():
    """One ephemeral GX context per process: importing GX costs seconds, so do it once, lazily."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, context


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


def run_suite(frame: pd.DataFrame, name: str, file_label: str, references: dict[str, list[str]]) -> list[pd.DataFrame]:
    """Validate `frame` with expectations/<name>.json; return one findings frame per failed expectation.

    Two passes: every expectation with a pass/fail answer only, then the failed ones again listing their
    failing rows. A clean extract (the usual case) costs half of listing rows for every expectation.

    Args:
        frame: the text frame, with complaint_id (where the file has it) and _line columns.
        file_label: how the file is named in findings (its file name).
        references: values for {"$config": ...} references, e.g. {"frns": [...]}.
    """
    suite_data = load_suite_file(name, references)
    frame = frame.reset_index(drop=True)
    first = _validate(frame, suite_data, "BOOLEAN_ONLY")
    for outcome in first.results:
        _raise_if_broken(name, outcome)
    failed = [i for i, outcome in enumerate(first.results) if not outcome.success]
    if not failed:
        return []
    failing_suite = {**suite_data, "expectations": [_expectation_data(first.results[i]) for i in failed]}
    index_columns = [c for c in ("complaint_id", "firm_frn", "_line") if c in frame.columns]
    second = _validate(
        frame, failing_suite, {"result_format": "COMPLETE", "unexpected_index_column_names": index_columns}
    )
    findings = []
    for outcome in second.results:
        _raise_if_broken(name, outcome)
        config = outcome.expectation_config
        meta = config.meta or {}
        kwargs = config.kwargs
        column = kwargs.get("column") or ",".join(kwargs.get("column_list", []))
        failing = pd.DataFrame(outcome.result.get("unexpected_index_list") or [])
        if outcome.success or failing.empty:
            continue
        value_column = column if column in failing.columns else None
        if value_column is None and "column_list" in kwargs:  # compound key: report the complaint_id
            value_column = "complaint_id"
        findings.append(
            findings_frame(
                failing,
                severity="error",
                file=file_label,
                column=column,
                rule=meta.get("rule", config.type),
                message=meta.get("message", config.type),
                value_column=value_column,
            )
        )
    return findings


def _expectation_data(outcome) -> dict[str, Any]:
    """An expectation of a result, back in the suite file's form."""
    config = outcome.expectation_config
    return {"type": config.type, "kwargs": dict(config.kwargs), "meta": dict(config.meta or {})}
