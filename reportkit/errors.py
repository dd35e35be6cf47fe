"""The errors reportkit raises, each with the exit code the CLI returns for it.

Exit codes scripts can trust: 0 ok; 1 validation errors in the data (rows named); 2 usage or configuration
errors (flags, a configuration file or input that makes no sense, an unknown entity, a date that ends no period,
an input path that does not exist); 3 a check of the results or a notebook failed; 4 environment errors (a path
that exists but cannot be read or written, a full disk, a file where a folder should be, or a folder where a file
should be).
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any


class ReportkitError(Exception):
    """Base class: a failure with a message meant for the user, never a traceback."""

    exit_code = 3


class InputError(ReportkitError):
    """A file that cannot be read, a configuration that does not make sense, an unknown entity or date."""

    exit_code = 2


class EnvironmentProblem(ReportkitError):
    """The machine, not the data: a path that exists but cannot be read or written, a full disk, a file where a
    folder should be. Exit 4, so that a script can tell it from bad data (1) or a bad command (2)."""

    exit_code = 4

    @classmethod
    def from_os_error(cls, exc: OSError, doing: str = "use", path: Path | str | None = None) -> "EnvironmentProblem":
        """A one-line message naming the path, what went wrong and the fix, from an OSError.

        Args:
            doing: "read" or "write" (or "use"), for the message.
            path: the path to name when the error carries none (a full disk while writing often does not).
        """
        named = exc.filename if exc.filename is not None else path
        where = f" {named}" if named is not None else ""
        reason, fix = _OS_ERRORS.get(exc.errno, (exc.strerror or type(exc).__name__, ""))
        return cls(f"cannot {doing}{where}: {reason}{fix}")


_OS_ERRORS: dict[int | None, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "; check its permissions, or choose another path"),
    errno.EPERM: ("operation not permitted", "; check its permissions, or choose another path"),
    errno.EROFS: ("the file system is read-only", "; choose a writable folder"),
    errno.ENOSPC: ("no space left on the disk", "; free some space or choose another folder"),
    errno.EDQUOT: ("the disk quota is exceeded", "; free some space or choose another folder"),
    errno.ENOTDIR: ("a file is in the way where a folder is needed", "; move the file or choose another path"),
    errno.EEXIST: ("a file is in the way where a folder is needed", "; move the file or choose another path"),
    errno.EISDIR: ("it is a folder, where a file is needed", "; give the path of a file"),
    errno.ENAMETOOLONG: ("the path is too long", "; choose a shorter path"),
    errno.EIO: ("input/output error", "; check the disk"),
}
"""What an OSError's errno means for the user, and the fix, for EnvironmentProblem.from_os_error."""


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


def printable(text: str) -> str:
    """`text` with any byte of a file name that is not UTF-8 (Python holds it as a surrogate escape; a file system
    allows such names) as a backslash escape (`r\\xe9c.csv`), so the name can be written to any output."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
