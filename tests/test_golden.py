"""Golden returns for the bundled sample: any change in a figure shows up as a diff to review.

Regenerate with `make golden` (scripts/generate_golden.py) after an intended change.
"""

from __future__ import annotations

import json

import pytest

from reportkit.paths import SAMPLE_DIR
from reportkit.sample import write_sample
from scripts.generate_golden import GOLDEN_DIR, dumps, golden_documents


def test_sample_data_is_reproducible_from_its_seed(tmp_path) -> None:
    paths = write_sample(tmp_path)
    for name in ("complaints.csv", "redress.csv", "context.csv", "config.yaml"):
        assert paths[name.split(".")[0]].read_text() == (SAMPLE_DIR / name).read_text(), name


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return golden_documents()


def test_every_golden_file_is_produced(documents) -> None:
    assert sorted(documents) == sorted(p.name for p in GOLDEN_DIR.glob("*.json"))


def test_returns_match_golden(documents) -> None:
    for name, document in documents.items():
        assert dumps(document) == (GOLDEN_DIR / name).read_text(encoding="utf-8"), (
            f"{name} differs: run make golden and review"
        )


def test_golden_annex1_is_internally_consistent(documents) -> None:
    document = documents["sample-group--annex1--2025-12-31.json"]
    assert document["header"]["part_a"] == "A-2"
    opened_by_cause = sum(v for row in document["tables"]["4"].values() for v in row.values() if v is not None)
    assert opened_by_cause == document["header"]["opened"]
    assert json.loads(dumps(document)) == document
