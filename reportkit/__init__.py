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
import sys
from typing import Any

__version__ = "0.1.0"

SKIPPED_OPTIONAL_MODULES = ("rfc3987_syntax",)
"""Optional modules that a library we use imports when installed, that no reportkit process needs, and that cost
seconds to import. jsonschema (under great-expectations, nbformat and papermill) loads `rfc3987_syntax`, when it
is installed, only to check the IRI formats of JSON schemas; it compiles a grammar on import (about 2.5 s, in
every run, notebook worker and kernel) and no schema reportkit validates uses those formats. jsonschema treats
the module as optional (it skips those checks on ImportError), so reportkit marks it absent before anything
imports jsonschema. A process that imported it already keeps it."""
for _name in SKIPPED_OPTIONAL_MODULES:
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # None in sys.modules: "import fails"

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
