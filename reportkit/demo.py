"""`reportkit demo`: write the sample data, then run every sample entity for the sample period."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from reportkit import api
from reportkit.run import run
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END, write_sample


def run_demo(out: Path, progress: Callable[[str], None] = print) -> list[Path]:
    """Generate the sample into out/sample-data/ and run each sample entity; returns the output folders."""
    paths = write_sample(out / "sample-data")
    progress(f"sample data written to {out / 'sample-data'}")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    return [run(inputs, entity, SAMPLE_PERIOD_END, out, progress).folder for entity in SAMPLE_ENTITIES]
