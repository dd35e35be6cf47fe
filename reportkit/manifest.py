"""manifest.json: what an auditor needs to re-run a period and get the same numbers."""

from __future__ import annotations

import importlib.metadata
import platform
from pathlib import Path
from typing import Any

from reportkit.runinfo import InputRead, sha256

PACKAGES = (
    "reportkit",
    "pandas",
    "numpy",
    "pyarrow",
    "great-expectations",
    "papermill",
    "nbconvert",
    "holidays",
    "xlsxwriter",
    "pyyaml",
    "click",
)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(
    *,
    inputs: dict[str, InputRead],
    parameters: dict[str, Any],
    started: str,
    finished: str,
    produced: list[str],
    skipped: list[dict[str, str]],
    folder: Path,
) -> dict[str, Any]:
    """The manifest of a finished run; `folder` is the run's output folder (hashes every file in it).

    Each input's sha256 and size are those of the bytes the run parsed (InputRead), never a re-read at the end.
    """
    outputs = {
        str(path.relative_to(folder)): sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }
    return {
        "reportkit": package_versions()["reportkit"],
        "parameters": parameters,
        "inputs": {
            name: {"path": str(item.path), "sha256": item.sha256, "bytes": item.size} for name, item in inputs.items()
        },
        "packages": package_versions(),
        "started_at": started,
        "finished_at": finished,
        "returns": produced,
        "skipped": skipped,
        "outputs": outputs,
    }
