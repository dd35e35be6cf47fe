"""`reportkit demo`: write the sample data, then run every sample entity for the sample period; and the
sample run bundled in the package, which a notebook opened by hand shows."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from reportkit import api
from reportkit.mi.output import TABLES_FOLDER
from reportkit.mi_run import MI_FILE, run_mi
from reportkit.runner import run
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END, write_sample
from reportkit.sample_export import write_sample_export


def run_demo(out: Path, progress: Callable[[str], None] = print) -> list[Path]:
    """Generate the sample into out/sample-data/ and run each sample entity; returns the output folders."""
    paths = write_sample(out / "sample-data")
    progress(f"sample data written to {out / 'sample-data'}")
    inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"], paths["context"])
    folders = []
    for entity in SAMPLE_ENTITIES:
        progress(f"== {entity}, period ending {SAMPLE_PERIOD_END} ==")  # a heading per entity
        folders.append(run(inputs, entity, SAMPLE_PERIOD_END, out, progress).folder)
    mi_inputs = api.InputPaths.of(paths["config"], paths["complaints"], paths["redress"])
    for entity in SAMPLE_ENTITIES:  # the MI pack, with its 2027 preview section, over the 12 months to the period end
        progress(f"== {entity}, MI for the 12 months to {SAMPLE_PERIOD_END} ==")
        folders.append(run_mi(mi_inputs, entity, None, SAMPLE_PERIOD_END, out, progress).folder)
    progress(f"== {SAMPLE_ENTITIES[0]}, 2027 preview on its own ==")
    folders.append(run_mi(mi_inputs, SAMPLE_ENTITIES[0], None, SAMPLE_PERIOD_END, out, progress, "preview-2027").folder)
    folders.append(run_export_demo(paths, out, progress))
    return folders


EXPORT_DEMO_FOLDER = "from-export"
"""Where the demo's run of the sample case-system export goes (beside, never over, the canonical runs)."""


def run_export_demo(paths: dict[str, Path], out: Path, progress: Callable[[str], None] = print) -> Path:
    """Write the sample as a case system would export it (its headers, labels, Y/N flags, dd/mm/yyyy dates) with
    its mapping, and run the sample group from it into out/from-export/: the same returns as the canonical run."""
    export = write_sample_export(paths["complaints"], paths["redress"], out / "sample-data" / "export")
    progress(f"sample case-system export and its mapping written to {out / 'sample-data' / 'export'}")
    inputs = api.InputPaths.of(
        paths["config"], export["complaints"], export["redress"], paths["context"], export["mapping"]
    )
    entity = SAMPLE_ENTITIES[0]
    progress(f"== {entity} from the case-system export, with --mapping {export['mapping'].name} ==")
    return run(inputs, entity, SAMPLE_PERIOD_END, out / EXPORT_DEMO_FOLDER, progress).folder


SAMPLE_RUN_PARTS = ("run.json", "returns/*.json", "validation/*.csv", "facts/*.parquet")
"""What the notebooks read of a run folder: the bundled sample run keeps these and nothing else."""


SAMPLE_MI_PARTS = (MI_FILE, f"{TABLES_FOLDER}/*.json")
"""What the MI notebook reads of an MI folder: the bundled sample MI keeps these and nothing else."""


def write_sample_mi(sample: dict[str, Path], destination: Path) -> Path:
    """The sample group's MI for the 12 months to the sample period end (without the notebook), keeping in
    `destination` the files notebooks/mi.ipynb reads."""
    inputs = api.InputPaths.of(sample["config"], sample["complaints"], sample["redress"])
    with tempfile.TemporaryDirectory() as scratch:
        folder = run_mi(
            inputs, SAMPLE_ENTITIES[0], None, SAMPLE_PERIOD_END, Path(scratch), lambda _: None, notebooks=False
        ).folder
        if destination.exists():
            shutil.rmtree(destination)
        for pattern in SAMPLE_MI_PARTS:
            for path in sorted(folder.glob(pattern)):
                target = destination / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return destination


def write_sample_run(sample: dict[str, Path], destination: Path) -> Path:
    """Run the sample group for the sample period (without notebooks) and keep in `destination` the files the
    notebooks read; everything else of the run is left out of the package."""
    inputs = api.InputPaths.of(sample["config"], sample["complaints"], sample["redress"], sample["context"])
    with tempfile.TemporaryDirectory() as scratch:
        folder = run(
            inputs, SAMPLE_ENTITIES[0], SAMPLE_PERIOD_END, Path(scratch), lambda _: None, notebooks=False
        ).folder
        if destination.exists():
            shutil.rmtree(destination)
        for pattern in SAMPLE_RUN_PARTS:
            for path in sorted(folder.glob(pattern)):
                target = destination / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return destination
