"""Child processes of a run (notebook workers, the validation helper): they die with the run and leave stopping
to it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal the kernel sends a process when its parent dies (Linux only)."""


def die_with_parent(parent: int) -> None:
    """On Linux, have the kernel send this process SIGTERM when its parent dies, even by SIGKILL; elsewhere skip.

    Without it a killed run would leave its children running (a notebook worker with a kernel of a few hundred
    MB, the validation helper). A notebook's kernel follows its worker by itself (ipykernel exits when its parent
    goes).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl (an unusual libc): the child then only stops with its parent's
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def become_child_of(parent: int) -> None:
    """What a forked child of a run does first: it dies with its parent and leaves SIGINT/SIGTERM handling to it
    (a forked child inherits the command's handlers, which would turn a stop into an exception inside it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
