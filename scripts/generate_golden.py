"""Regenerate the golden return JSON for the bundled sample (tests/golden/): python scripts/generate_golden.py

Run it after an intended change to a rule or layout, read the diff, and commit it with the change.
"""

from __future__ import annotations

import json
from pathlib import Path

from reportkit import api
from reportkit.paths import PROJECT_ROOT, SAMPLE_DIR
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END

GOLDEN_DIR = PROJECT_ROOT / "tests" / "golden"


def sample_paths() -> api.InputPaths:
    return api.InputPaths.of(
        SAMPLE_DIR / "config.yaml",
        SAMPLE_DIR / "complaints.csv",
        SAMPLE_DIR / "redress.csv",
        SAMPLE_DIR / "context.csv",
    )


def golden_documents() -> dict[str, dict]:
    """File name -> return document, for every sample entity and return."""
    prepared = api.prepare(sample_paths())
    documents = {}
    for entity in SAMPLE_ENTITIES:
        for result in api.build_returns(prepared, entity, SAMPLE_PERIOD_END):
            documents[f"{entity}--{result.stem}--{SAMPLE_PERIOD_END}.json"] = result.document
    return documents


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, document in golden_documents().items():
        path: Path = GOLDEN_DIR / name
        path.write_text(dumps(document), encoding="utf-8")
        print(f"wrote {path}")
