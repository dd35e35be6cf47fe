"""Regenerate the golden return JSON for the bundled sample (tests/golden/): python scripts/generate_golden.py

Run it after an intended change to a rule or layout, read the diff, and commit it with the change.
"""

from __future__ import annotations

import json
from pathlib import Path

from reportkit import api
from reportkit.paths import sample_inputs
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "golden"


def sample_paths() -> api.InputPaths:
    sample = sample_inputs()
    return api.InputPaths.of(sample["config"], sample["complaints"], sample["redress"], sample["context"])


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
