"""reportkit: FCA complaints returns from raw complaint extracts.

The pipeline reads as: read -> keep the entity's rows -> validate -> classify -> plan -> build -> write ->
notebooks -> render -> manifest (reportkit.pipeline, reportkit.runner).

The public Python API, for a notebook or another tool:

    import reportkit
    paths = reportkit.InputPaths.of("config.yaml", "complaints.csv", "redress.csv", "context.csv")
    report = reportkit.validate(paths)                      # every error and warning, nothing written
    outcome = reportkit.run(paths, "123456", reportkit.parse_date("2025-12-31"), Path("outputs"))

`run` writes the run folder as `reportkit run` does; `validate` returns a ValidationReport (`.ok`, `.errors`,
`.warnings`); `prepare` and `build_all` give the built returns in memory. Errors are ReportkitError subclasses
(InputError, ValidationFailed, NotebookFailed, TieOutFailed, RunLocked, EnvironmentProblem), each with the exit
code the command line uses. Names are loaded on first use, so `import reportkit` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "reportkit.runner",
    "RunOutcome": "reportkit.runner",
    "validate": "reportkit.api",
    "prepare": "reportkit.api",
    "build_all": "reportkit.api",
    "build_returns": "reportkit.api",
    "parse_date": "reportkit.api",
    "InputPaths": "reportkit.pipeline",
    "Prepared": "reportkit.pipeline",
    "Built": "reportkit.pipeline",
    "ReturnResult": "reportkit.returns.common",
    "ValidationReport": "reportkit.validation.report",
    "ReportkitError": "reportkit.errors",
    "InputError": "reportkit.errors",
    "ValidationFailed": "reportkit.errors",
    "NotebookFailed": "reportkit.errors",
    "TieOutFailed": "reportkit.tieouts",
    "RunLocked": "reportkit.errors",
    "EnvironmentProblem": "reportkit.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """The public names, imported from their module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
