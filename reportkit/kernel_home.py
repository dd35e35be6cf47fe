"""Where the notebook kernels keep their own files: a hidden folder inside --out, removed when the run ends.

Left to themselves, a kernel and the libraries it loads write under the user's home folder (matplotlib's font
cache and config folder, IPython's profile with its history database) and the process starting a kernel
writes its connection file to the system's temporary folder. A run writes nothing outside --out, so those go
to `<out>/.reportkit-kernels-<pid>-<id>-<host>/` while notebooks run, and the folder goes with the run. One left
by a killed run (its process gone, on this host: an --out shared between machines keeps the others') is removed
by the next run in the same --out.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

KERNEL_HOME_PREFIX = ".reportkit-kernels-"

KERNEL_FOLDERS = {
    "MPLCONFIGDIR": "matplotlib",  # matplotlib's config folder and font cache
    "IPYTHONDIR": "ipython",  # IPython's profile (history, startup folder)
    "JUPYTER_RUNTIME_DIR": "runtime",  # jupyter's runtime files
    "TMPDIR": "tmp",  # the kernel's temporary files; connection files (tempfile.mkstemp)
}
"""Environment variable -> sub-folder of the kernel home. A kernel inherits the environment of the process
that starts it, so setting these in that process points every kernel it starts at the home."""


def point_kernels_at(home: Path) -> tuple[dict[str, str | None], str | None]:
    """Make this process's kernels (and its own temporary files) use `home`; returns what was set before, for
    `restore`. A notebook worker calls it once, for its whole life; a run that executes notebooks in its own
    process calls it around them (kernel_home)."""
    before: dict[str, str | None] = {name: os.environ.get(name) for name in KERNEL_FOLDERS}
    cached = tempfile.tempdir
    for name, folder in KERNEL_FOLDERS.items():
        (home / folder).mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(home / folder)
    tempfile.tempdir = None  # tempfile caches its folder: read TMPDIR again
    return before, cached


def restore(before: tuple[dict[str, str | None], str | None]) -> None:
    """Undo point_kernels_at: the environment and tempfile's folder as they were."""
    environment, cached = before
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    tempfile.tempdir = cached


def _host() -> str:
    """This machine's name as a folder name can hold it."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def remove_stale_homes(out: Path) -> None:
    """Remove the kernel homes in `out` of this host's runs that are gone (killed before they could remove
    their own)."""
    for home in out.glob(f"{KERNEL_HOME_PREFIX}*"):
        pid, _, rest = home.name[len(KERNEL_HOME_PREFIX) :].partition("-")
        host = rest.partition("-")[2]
        if home.is_dir() and pid.isdigit() and host == _host() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(home, ignore_errors=True)


@contextmanager
def new_kernel_home(out: Path) -> Iterator[Path]:
    """A fresh kernel home in `out`, removed on leaving, with the folders this created for `out` when they are
    left empty (a run refused at its start leaves no folder behind). Stale homes in `out` go first."""
    missing = [folder for folder in (out, *out.parents) if not folder.exists()]
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_homes(out)
    home = out / f"{KERNEL_HOME_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-{_host()}"
    home.mkdir()
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)
        for folder in missing:  # innermost first, each only when empty
            try:
                folder.rmdir()
            except OSError:
                break


@contextmanager
def kernel_home(out: Path) -> Iterator[Path]:
    """Run the kernels this process starts meanwhile with a fresh kernel home in `out` (new_kernel_home)."""
    with new_kernel_home(out) as home:
        before = point_kernels_at(home)
        try:
            yield home
        finally:
            restore(before)
