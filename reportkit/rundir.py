"""Reading a finished run folder: its manifest, the inputs it names (checked against their sha256) and its files.

`verify` and `explain` start here: both trust a run's inputs only when their bytes are the ones the run read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.errors import InputError, ReportkitError
from reportkit.runinfo import sha256

MANIFEST = "manifest.json"
NOT_REPRODUCED = ("manifest.json", "html/index.html")
"""The two files of a run that record one execution (who, when, where), so a re-run never reproduces them."""
INPUT_ROLES = ("config", "complaints", "redress", "context", "mapping")
"""The roles of the inputs a run reads, in the order `reportkit run` takes them."""


class InputChanged(ReportkitError):
    """An input named in a run's manifest is missing or its bytes are not the ones the run read."""

    exit_code = 5


@dataclass(frozen=True)
class RunFolder:
    """A finished run: its folder and what its manifest records."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def entity(self) -> str:
        return str(self.manifest["parameters"]["entity"])

    @property
    def period_end(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["parameters"]["period_end"])

    @property
    def inputs(self) -> dict[str, Path]:
        """Role -> path of every input the run read: the absolute path the run resolved (its parameters) where the
        manifest records one, so a run started with relative paths is found from any folder; else the input's path."""
        parameters = self.manifest["parameters"]
        found = {}
        for role, item in self.manifest["inputs"].items():
            resolved = parameters.get(role)
            found[role] = (
                Path(resolved) if isinstance(resolved, str) and Path(resolved).is_absolute() else Path(item["path"])
            )
        return found

    @property
    def sheet(self) -> str | None:
        """The workbook sheet the run read (`--sheet`), or None for the first sheet (or no workbook)."""
        sheet = self.manifest["parameters"].get("sheet")
        return str(sheet) if sheet is not None else None

    @property
    def notebooks(self) -> bool:
        """Whether the run executed the notebooks: recorded in the parameters when the manifest says so, else
        read from its outputs (a run without notebooks has no notebooks/ folder)."""
        recorded = self.manifest["parameters"].get("notebooks")
        if recorded is not None:
            return bool(recorded)
        return any(name.startswith("notebooks/") for name in self.manifest.get("outputs", {}))

    def files(self) -> dict[str, Path]:
        """Relative POSIX path -> file of every file in the folder but the two a re-run never reproduces."""
        found = {path.relative_to(self.folder).as_posix(): path for path in self.folder.rglob("*") if path.is_file()}
        return {name: found[name] for name in sorted(found) if name not in NOT_REPRODUCED}


def open_run(folder: Path) -> RunFolder:
    """Read a run folder's manifest.

    Raises:
        InputError: the folder does not exist, or holds no readable manifest.json of a run.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"run folder {folder} does not exist: give a run's folder, e.g. outputs/<entity>/<period-end>")
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(
            f"{folder} has no {MANIFEST}, so it is not a finished run: give the folder of a successful reportkit run"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for key in ("entity", "period_end"):
            str(manifest["parameters"][key])
        str(manifest["inputs"]["complaints"]["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path} is not a reportkit manifest ({type(exc).__name__}: {exc}); run the period again"
        ) from None
    return RunFolder(folder, manifest)


def check_inputs(run: RunFolder) -> dict[str, Path]:
    """The run's inputs, each checked to exist and to have the sha256 the manifest records.

    Raises:
        InputChanged: an input is missing, or its bytes differ (the message names it and both hashes).
    """
    paths = run.inputs
    for role, path in paths.items():
        recorded = run.manifest["inputs"][role]["sha256"]
        if not path.is_file():
            raise InputChanged(
                f"input {role} {path} named in the manifest is missing (sha256 recorded {recorded}): "
                "restore the file the run read to that path"
            )
        found = sha256(path)
        if found != recorded:
            raise InputChanged(
                f"input {role} {path} has changed: sha256 recorded {recorded}, found {found}; restore the file "
                "the run read, or run the period again to make a new run"
            )
    return paths
