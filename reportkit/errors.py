"""The errors reportkit raises, each with the exit code the CLI returns for it.

Exit codes scripts can trust: 0 ok, 1 validation errors in the data, 2 usage or input errors (a file
that cannot be read, a bad configuration, an unknown entity), 3 a notebook or rendering step failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ReportkitError(Exception):
    """Base class: a failure with a message meant for the user, never a traceback."""

    exit_code = 3


class InputError(ReportkitError):
    """A file that cannot be read, a configuration that does not make sense, an unknown entity or date."""

    exit_code = 2


class ValidationFailed(ReportkitError):
    """The extract has row-level errors; the report holds every one of them."""

    exit_code = 1

    def __init__(self, report: Any, written_to: Path | None = None) -> None:
        """`report` is a reportkit.validation.report.ValidationReport (not imported: errors sit below it)."""
        self.report = report
        self.written_to = written_to
        where = f"\nFull list: {written_to}" if written_to else ""
        super().__init__(report.summary() + where)


class NotebookFailed(ReportkitError):
    """A notebook raised while executing; its executed copy is kept for debugging."""

    exit_code = 3


class RunLocked(ReportkitError):
    """Another run of the same entity and period kept its lock for longer than a run waits (exit 4: the
    machine's state, not the data or the command, stands in the way)."""

    exit_code = 4


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped the command (a BaseException, so no `except Exception` can swallow it and
    every `finally` still cleans up). Exit 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM."""

    def __init__(self, signum: int) -> None:
        import signal

        self.exit_code = 128 + signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(self.signal_name)
