"""The `reportkit` command's entry point: the first code that runs, before anything heavy is imported.

Importing the command's modules (pandas, pyarrow, click) takes about a second, before `reportkit.cli` can set
its own handlers. Ctrl-C or SIGTERM in that second would otherwise end in a KeyboardInterrupt traceback; here
it is one line and the usual exit code (130 or 143). The same handler is back once a command has finished,
while the process ends. Output
streams also show a file name that is not valid UTF-8 (bytes the file system allows) with backslash escapes,
rather than failing on it.
"""

from __future__ import annotations

import os
import signal
import sys


def _stopped(signum: int, frame) -> None:
    """Outside a command's own handling (while loading, or after it has finished, as the process ends): one line
    and the signal's exit code. A command's run is stopped and cleaned up by reportkit.cli's handler instead."""
    name = signal.Signals(signum).name
    os.write(2, f"error: interrupted by {name}; stopped\n".encode())
    os._exit(128 + signum)


def main() -> None:
    """Run the `reportkit` command (reportkit.cli.main), stopping cleanly if interrupted while it loads."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stopped)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    from reportkit.cli import main as command
    from reportkit.validation.helper import one_run_per_helper

    one_run_per_helper()  # the command's process: each run's validation helper ends once it has validated
    command()
