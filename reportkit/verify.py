"""`reportkit verify RUN_DIR`: re-run a period from the inputs its manifest names and compare byte for byte.

Every file of a run but manifest.json and html/index.html is a pure function of the inputs' bytes, the
parameters, the configuration and the reportkit version, so a re-run of the same entity and period with the
same options into a temporary folder must reproduce each of them exactly. The run folder is only read.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportkit import api
from reportkit.errors import InputError
from reportkit.review import RUN_FILE
from reportkit.rundir import INPUT_ROLES, check_inputs, open_run
from reportkit.runner import run


@dataclass
class Verification:
    """What a re-run found: the files compared and every difference, by relative path."""

    folder: Path
    identical: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    """In both, with different bytes."""
    missing: list[str] = field(default_factory=list)
    """Produced by the re-run but absent from the run folder."""
    extra: list[str] = field(default_factory=list)
    """In the run folder but not produced by the re-run."""
    code_changed: str | None = None
    """Set when the re-run's reportkit version or commit is not the run's: why files carrying the run id differ."""

    @property
    def ok(self) -> bool:
        return not (self.differing or self.missing or self.extra)

    def lines(self) -> list[str]:
        """The report printed by the CLI: one line when identical, else one line per difference."""
        if self.ok:
            return [f"identical: {len(self.identical)} files"]
        note = [f"note: {self.code_changed}"] if self.code_changed else []
        return (
            note
            + [f"differs: {name}" for name in self.differing]
            + [f"missing from the run folder: {name}" for name in self.missing]
            + [f"not produced by the re-run: {name}" for name in self.extra]
            + [
                f"{len(self.differing) + len(self.missing) + len(self.extra)} difference(s); "
                f"identical: {len(self.identical)} files"
            ]
        )


def compare_folders(original: dict[str, Path], rerun: dict[str, Path], folder: Path) -> Verification:
    """Compare two {relative path: file} maps byte for byte."""
    result = Verification(folder)
    for name in sorted(original.keys() | rerun.keys()):
        if name not in rerun:
            result.extra.append(name)
        elif name not in original:
            result.missing.append(name)
        elif original[name].read_bytes() == rerun[name].read_bytes():
            result.identical.append(name)
        else:
            result.differing.append(name)
    return result


def verify(folder: Path, progress: Callable[[str], None] | None = None) -> Verification:
    """Re-run the run in `folder` into a temporary folder and compare every reproducible file.

    Raises:
        InputError: `folder` is not a finished run.
        InputChanged: an input named in the manifest is missing or its sha256 differs (exit 5).
        ValidationFailed, NotebookFailed: the re-run itself failed.
    """
    original = open_run(folder)
    paths = check_inputs(original)
    unknown = sorted(set(paths) - set(INPUT_ROLES))
    inputs = api.InputPaths.of(
        paths["config"],
        paths["complaints"],
        paths.get("redress"),
        paths.get("context"),
        paths.get("mapping"),
        original.sheet,
    )
    if unknown:  # an input this version cannot pass to a run (e.g. a mapping): the re-run could not match
        raise InputError(f"the manifest names input(s) {', '.join(unknown)} this reportkit cannot re-run with")
    with tempfile.TemporaryDirectory(prefix="reportkit-verify-") as scratch:
        outcome = run(
            inputs,
            original.entity,
            original.period_end,
            Path(scratch),
            progress or (lambda _message: None),
            notebooks=original.notebooks,
        )
        result = compare_folders(original.files(), open_run(outcome.folder).files(), Path(folder))
        result.code_changed = code_change(Path(folder) / RUN_FILE, outcome.folder / RUN_FILE)
        return result


def _code(path: Path) -> tuple[str, str | None] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return str(document["reportkit"]), document.get("commit")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def code_change(original: Path, rerun: Path) -> str | None:
    """Why a re-run cannot match: it ran another reportkit version or commit (part of the run id, so every file
    that carries the id differs). None when both are the same or the run folder does not say."""
    before, after = _code(original), _code(rerun)
    if before is None or after is None or before == after:
        return None

    def shown(code: tuple[str, str | None]) -> str:
        return f"reportkit {code[0]}" + (f" at commit {code[1][:12]}" if code[1] else "")

    return (
        f"the run was made by {shown(before)}, the re-run by {shown(after)}; the version is part of the run id, so "
        f"files carrying it differ: verify with {shown(before)}"
    )
