"""What a run is, in facts that do not depend on when, where or by whom it ran: its run id and the facts behind it.

Every output of a run except `manifest.json` and the review page is a pure function of the inputs' bytes, the
parameters, the configuration and the reportkit version, so a re-run reproduces it byte for byte. Those outputs
carry the **run id**: the first 12 hex digits of a sha256 over the input hashes, the parameters other than
`--out`, and the version (with the source commit when run from a checkout). The configuration (and a mapping, if a
run has one) is an input file, so its hash is among the input hashes. Who ran it and when are facts of one
execution; they live only in `manifest.json`, which records the same run id, so any sheet leads to its execution.

Nothing here may name an absolute path or the output folder: inputs are named by their file name only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.calendar import HOLIDAY_CALENDAR_NAMES
from reportkit.errors import printable

RUN_ID_LENGTH = 12
"""Hex digits of the run id: enough to tell runs apart, short enough to read out or key."""


def sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks so a large extract is never held twice."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reportkit_version() -> str:
    """The installed reportkit version ("unknown" when the package metadata is missing)."""
    try:
        return importlib.metadata.version("reportkit")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def source_commit() -> str | None:
    """The git commit reportkit runs from, when it runs from a checkout (None from an installed wheel).

    Only a checkout whose root holds this package and its pyproject.toml counts, so a wheel installed into a
    virtual environment that happens to sit inside some other repository never reports that repository's commit.
    """
    root = Path(__file__).resolve().parent.parent
    if not ((root / ".git").exists() and (root / "pyproject.toml").is_file()):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):  # no git on the machine: the version alone identifies the code
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


@dataclass(frozen=True)
class InputRead:
    """An input file as a run read it: the sha256 and size are of the very bytes that were parsed, taken when they
    were read (reportkit.extract, reportkit.config), so a file replaced during the run is recorded as it was read."""

    path: Path
    sha256: str
    size: int
    """Bytes read."""

    @classmethod
    def of(cls, item: "Path | InputRead") -> "InputRead":
        """`item` as read; a bare Path (a caller that parsed nothing itself) is hashed as it is on disk now."""
        if isinstance(item, InputRead):
            return item
        return cls(Path(item), sha256(Path(item)), Path(item).stat().st_size)


@dataclass(frozen=True)
class InputFile:
    """One input file as the run read it."""

    role: str
    """config, complaints, redress or context (the option it was given with)."""
    name: str
    """The file name only, never its folder."""
    sha256: str
    rows: int | None
    """Data rows read (None for the configuration)."""


@dataclass(frozen=True)
class FirmFacts:
    """A firm covered by the run, with the bank-holiday calendar its business days follow."""

    frn: str
    name: str
    nation: str

    @property
    def calendar(self) -> str:
        """The nation code with the calendar it follows, e.g. "SCT (Scotland)"."""
        return f"{self.nation} ({HOLIDAY_CALENDAR_NAMES.get(self.nation, self.nation)})"


@dataclass(frozen=True)
class RunInfo:
    """The run id and the facts it stands for, as shown on the workbook's Run sheet."""

    run_id: str
    version: str
    commit: str | None
    entity: str
    entity_name: str
    """The firm's or group's name as configured."""
    period_end: dt.date
    periods: tuple[tuple[str, str], ...]
    """(start, end) of every period the run's returns cover, in order of first appearance."""
    regimes: tuple[str, ...]
    firms: tuple[FirmFacts, ...]
    inputs: tuple[InputFile, ...]
    parameters: dict[str, Any]
    """The parameters that entered the run id (never --out)."""
    mapping_text: str | None = None
    """The contents of the mapping file the export was read with (its hash is among the inputs), or None."""

    @property
    def created(self) -> dt.datetime:
        """A fixed creation time for file metadata (the period end, midnight UTC), so a re-run is byte-identical."""
        return dt.datetime.combine(self.period_end, dt.time(0, 0), tzinfo=dt.timezone.utc)


def compute_run_id(inputs: tuple[InputFile, ...], parameters: dict[str, Any], version: str, commit: str | None) -> str:
    """The first 12 hex digits of a sha256 over the input hashes, the parameters and the version.

    The hashed text is canonical JSON (sorted keys, no spaces), so the id depends on the values only. Each input
    enters by its role and hash; its file name enters through the parameters.
    """
    payload = {
        "inputs": {item.role: item.sha256 for item in inputs},
        "parameters": parameters,
        "reportkit": version,
        "commit": commit,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:RUN_ID_LENGTH]


def describe_run(
    *,
    files: dict[str, InputRead | Path],
    rows: dict[str, int],
    entity: str,
    entity_name: str,
    period_end: dt.date,
    options: dict[str, Any],
    firms: list[FirmFacts],
    periods: list[tuple[str, str]],
    regimes: list[str],
    mapping_text: str | None = None,
) -> RunInfo:
    """The RunInfo of a run.

    Args:
        files: role -> every input file as read (configuration included; a mapping too, when a run has one); its
            hash is the one taken when its bytes were parsed (a bare Path is hashed from disk, see InputRead.of).
        rows: role -> data rows read from it.
        entity: the firm or group run for (its FRN or group id).
        entity_name: its name as configured.
        period_end: the period end asked for.
        options: further parameters that change outputs (e.g. whether notebooks run); never --out.
        firms: the firms the run's returns cover.
        periods: (start, end) of each return built.
        regimes: the regime of each return built.
        mapping_text: the mapping file's contents, when the export was read with one (its hash is in `files`).
    """
    read = {role: InputRead.of(item) for role, item in files.items()}
    inputs = tuple(
        InputFile(role, printable(item.path.name), item.sha256, rows.get(role)) for role, item in read.items()
    )
    parameters = {
        "entity": entity,
        "period_end": period_end.isoformat(),
        **{role: printable(item.path.name) for role, item in read.items()},
        **options,
    }
    version, commit = reportkit_version(), source_commit()
    return RunInfo(
        run_id=compute_run_id(inputs, parameters, version, commit),
        version=version,
        commit=commit,
        entity=entity,
        entity_name=entity_name,
        period_end=period_end,
        periods=tuple(dict.fromkeys(periods)),
        regimes=tuple(dict.fromkeys(regimes)),
        firms=tuple(firms),
        inputs=inputs,
        parameters=parameters,
        mapping_text=mapping_text,
    )
