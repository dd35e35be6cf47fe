"""Where reportkit's data files live: inside the installed package, found with importlib.resources.

The repository keeps them in top-level folders (schemas/, expectations/, notebooks/, sample/) so that users
can read and correct them; pyproject.toml maps each folder to a subpackage (reportkit.schemas, ...), so a
wheel carries them and an editable install reads the checkout. Nothing here reads a file: these are paths.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    # A regular package installed from a wheel or editable is a real folder; data is read with open().
    return Path(str(files(package)))


SCHEMAS_DIR = _folder("reportkit.schemas")
LAYOUTS_DIR = SCHEMAS_DIR / "layouts"
MI_LAYOUTS_DIR = SCHEMAS_DIR / "mi"
"""Layouts of the MI pack's sections (the 2027 preview), data like the returns' layouts."""
EXPECTATIONS_DIR = _folder("reportkit.expectations")
NOTEBOOKS_DIR = _folder("reportkit.notebook_templates")
SAMPLE_DIR = _folder("reportkit.sample_data")
SAMPLE_RUN_DIR = SAMPLE_DIR / "run"
SAMPLE_MI_DIR = SAMPLE_DIR / "mi"
"""The sample group's MI folder (tables/*.json, mi.json): what notebooks/mi.ipynb opened by hand shows."""
"""The sample group's run for 2025-12-31 (returns, validation findings, facts, run.json): what a notebook opened
by hand shows. Regenerated with the sample (scripts/generate_sample.py); a test keeps it current."""


def sample_inputs() -> dict[str, Path]:
    """The bundled sample's configuration and input files (what a notebook opened by hand shows)."""
    return {name: SAMPLE_DIR / file for name, file in SAMPLE_FILES.items()}


SAMPLE_FILES = {
    "config": "config.yaml",
    "complaints": "complaints.csv",
    "redress": "redress.csv",
    "context": "context.csv",
}
