"""Where reportkit's data files live: the checkout holding this package (installed editable)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
LAYOUTS_DIR = SCHEMAS_DIR / "layouts"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
SAMPLE_DIR = PROJECT_ROOT / "sample"
