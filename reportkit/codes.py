"""The allowed codes of every list in the taxonomy, for `reportkit codes` and docs/codes.md.

Generated from schemas/taxonomy.yaml, never copied by hand: the test suite checks docs/codes.md against it.
"""

from __future__ import annotations

import json

from reportkit.calendar import NATIONS
from reportkit.paths import EXPECTATIONS_DIR
from reportkit.taxonomy import Taxonomy, load_taxonomy

CODE_LISTS: dict[str, tuple[str, str]] = {
    "part_a_product_groups": ("Annex 1 Part A product groups (A-1 rows, Annex 1B rows)", ""),
    "part_a_products": ("Annex 1 Part A products: the `product` column", "part_a_product_groups"),
    "part_a_cause_groups": ("Annex 1 Part A cause groups (A-1 columns)", ""),
    "part_a_causes": ("Annex 1 Part A causes: the `cause` column", "part_a_cause_groups"),
    "part_b_credit_activities": ("Annex 1 Part B credit-related activities: the `credit_activity` column", ""),
    "cmc_claim_types": ("Annex 1AB types of claim: the `cmc_claim_type` column", ""),
    "cmc_focus": ("Annex 1AB main focus: the `cmc_focus` column", ""),
    "payment_services": ("Annex 1AD service groupings: the `payment_service` column", ""),
    "payment_service_causes": ("Annex 1AD causes: the `payment_cause` column", ""),
    "fos_outcomes": ("Financial Ombudsman Service outcomes: the `fos_outcome` column (MI only)", ""),
    "redress_types": ("Redress line types: the `redress_type` column of the redress file", ""),
}
"""List name -> (what it is for, the list its codes are grouped under, if any)."""

FIXED_VALUES: dict[str, str] = {
    "outcome": "The `outcome` column",
    "forwarded": "The `forwarded` column (DISP 1.7)",
    "app_fraud_role": "The `app_fraud_role` column (Annex 1AD Table 4)",
    "business_days": "The `business_days` configuration key: the part of the UK whose bank holidays apply",
}
"""Short value lists of the extract and configuration that are not taxonomy lists. Their values are read from
where the rule lives (the complaints expectation suite; the calendar's nations), not restated here."""


def fixed_values(name: str) -> list[str]:
    """The allowed values of a short list, from its one home."""
    if name == "business_days":
        return list(NATIONS)
    with open(EXPECTATIONS_DIR / "complaints.json", encoding="utf-8") as handle:
        suite = json.load(handle)
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        if expectation["type"] == "expect_column_values_to_be_in_set" and kwargs.get("column") == name:
            return [str(v) for v in kwargs["value_set"]]
    raise KeyError(f"the complaints suite has no value set for {name!r}")


def list_names() -> list[str]:
    return [*CODE_LISTS, *FIXED_VALUES]


def rows(name: str, taxonomy: Taxonomy | None = None) -> list[tuple[str, str]]:
    """(code, description) pairs of one list, in taxonomy order.

    Raises:
        KeyError: no such list; the message names every list.
    """
    taxonomy = taxonomy or load_taxonomy()
    if name in FIXED_VALUES:
        return [(value, "") for value in fixed_values(name)]
    if name not in CODE_LISTS:
        raise KeyError(f"no code list {name!r}; lists: {', '.join(list_names())}")
    parent_list = CODE_LISTS[name][1]
    result = []
    for code, label in taxonomy.labels[name].items():
        if name == "redress_types":
            spec = taxonomy.raw["redress_types"][code]
            label = f"counts in Annex 1/1AB/1C: {_yes(spec['counts_annex1'])}; in Annex 1AD: {_yes(spec['counts_1ad'])}"
        elif name == "payment_services" and taxonomy.raw["payment_services"][code].get("eligible_only"):
            label += " (Annex 1AD: eligible complainants only, DISP 1.1.3AD(2))"
        if parent_list:
            label += f" [{taxonomy.parents[name][code]}]"
        result.append((code, label))
    return result


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def describe(name: str) -> str:
    return CODE_LISTS[name][0] if name in CODE_LISTS else FIXED_VALUES[name]


def as_text(name: str) -> str:
    """One list for the terminal: its description, then one `code  label` line per code."""
    pairs = rows(name)
    width = max(len(code) for code, _ in pairs)
    lines = [f"{name}: {describe(name)}"] + [f"  {code:{width}}  {label}".rstrip() for code, label in pairs]
    return "\n".join(lines)


def as_markdown() -> str:
    """Every list as Markdown (docs/codes.md)."""
    parts = [
        "# Codes",
        "",
        "Every value reportkit accepts in a coded column or configuration key, in form order. This page is",
        "generated from `schemas/taxonomy.yaml` by `reportkit codes --markdown`; a test keeps the two the same.",
        "Grouped codes show their group in brackets.",
    ]
    for name in list_names():
        parts += ["", f"## `{name}`", "", describe(name), "", "| code | meaning |", "|---|---|"]
        parts += [f"| `{code}` | {label} |" for code, label in rows(name)]
    return "\n".join(parts) + "\n"
