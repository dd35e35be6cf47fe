"""The code lists of the returns (schemas/taxonomy.yaml): products, causes, activities, services.

The taxonomy is data; this module only reads it into convenient lookups, in taxonomy order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from reportkit.paths import SCHEMAS_DIR


@dataclass(frozen=True)
class Taxonomy:
    """Code lists in taxonomy order, with labels and the parent group of grouped codes."""

    labels: dict[str, dict[str, str]]
    """list name -> code -> label, e.g. labels["part_a_products"]["credit_cards"]."""
    parents: dict[str, dict[str, str]]
    """list name -> code -> group code, e.g. parents["part_a_products"]["credit_cards"] = "banking_credit_cards"."""
    raw: dict

    def codes(self, name: str) -> list[str]:
        """The codes of a list, in taxonomy order."""
        try:
            return list(self.labels[name])
        except KeyError as exc:
            raise KeyError(f"taxonomy has no list {name!r}; lists: {', '.join(self.labels)}") from exc

    def label(self, name: str, code: str) -> str:
        return self.labels[name].get(code, code)

    def eligible_only_payment_services(self) -> list[str]:
        """Payment service groupings counted in Annex 1AD only from eligible complainants: those marked
        `eligible_only` in the taxonomy (DISP 1.1.3AD(2): electronic money holders that are eligible
        complainants; every other grouping counts all payment service users, DISP 1.1.3AD(1))."""
        return [code for code, spec in self.raw["payment_services"].items() if spec.get("eligible_only", False)]


def _build(raw: dict) -> Taxonomy:
    labels: dict[str, dict[str, str]] = {}
    parents: dict[str, dict[str, str]] = {}

    groups = raw["part_a_product_groups"]
    labels["part_a_product_groups"] = {code: spec["label"] for code, spec in groups.items()}
    labels["part_a_products"], parents["part_a_products"] = {}, {}
    for group, products in raw["part_a_products"].items():
        for code, label in products.items():
            labels["part_a_products"][code] = label
            parents["part_a_products"][code] = group

    labels["part_a_cause_groups"] = {code: spec["label"] for code, spec in raw["part_a_causes"].items()}
    labels["part_a_causes"], parents["part_a_causes"] = {}, {}
    for group, spec in raw["part_a_causes"].items():
        for code, label in spec["causes"].items():
            labels["part_a_causes"][code] = label
            parents["part_a_causes"][code] = group

    for name in ("part_b_credit_activities", "cmc_claim_types", "cmc_focus", "payment_service_causes", "fos_outcomes"):
        labels[name] = dict(raw[name])
    labels["payment_services"] = {code: spec["label"] for code, spec in raw["payment_services"].items()}
    labels["redress_types"] = {code: code.replace("_", " ") for code in raw["redress_types"]}
    return Taxonomy(labels=labels, parents=parents, raw=raw)


@lru_cache(maxsize=None)
def load_taxonomy(path: Path = SCHEMAS_DIR / "taxonomy.yaml") -> Taxonomy:
    """Read the taxonomy file (cached: it does not change during a run)."""
    with open(path, encoding="utf-8") as handle:
        return _build(yaml.safe_load(handle))
