"""Return layouts (schemas/layouts/<return>.yaml) and the dimensions their rows and columns range over.

A layout is data: which tables a return has, their rows, columns, labels and codes, and its version.
A dimension ties a row or column kind to a column of the classified frame, a taxonomy list, and the
firm declaration that decides blank versus 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from reportkit.paths import LAYOUTS_DIR
from reportkit.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Dimension:
    """A kind of row or column: its frame column, its codes and what the firm declares for it.

    Codes come from a taxonomy list (`codes`), or are fixed (`fixed`, with labels), or are found in the
    data at build time (`dynamic`: the advisers of Annex 1C).
    """

    column: str
    codes: str | None = None
    declared_by: str | None = None
    """Firm attribute listing what the firm does business in (blank vs 0); None: always numbers."""
    member_codes: str | None = None
    """For a group dimension (product group): the taxonomy list of its members, declared one by one."""
    fixed: tuple[tuple[str, str], ...] = ()
    """(code, label) pairs placed before the taxonomy codes, or alone when `codes` is None."""
    dynamic: bool = False


DIMENSIONS: dict[str, Dimension] = {
    "product_group": Dimension("product_group", "part_a_product_groups", "products", member_codes="part_a_products"),
    "product": Dimension("product", "part_a_products", "products"),
    "cause_group": Dimension("cause_group", "part_a_cause_groups"),
    "cause": Dimension("cause", "part_a_causes"),
    "credit_activity": Dimension("credit_activity", "part_b_credit_activities", "credit_activities"),
    "cmc_claim_type": Dimension("cmc_claim_type", "cmc_claim_types", "cmc_claim_types"),
    "cmc_focus": Dimension("cmc_focus", "cmc_focus"),
    "payment_service": Dimension("payment_service", "payment_services", "payment_services"),
    "payment_cause": Dimension("payment_cause", "payment_service_causes"),
    "cmc_focus_with_total": Dimension("cmc_focus", "cmc_focus", fixed=(("total", "Total number of complaints"),)),
    "app_fraud_role": Dimension(
        "app_fraud_role",
        fixed=(("payer_psp", "Complaints as the payer's PSP"), ("payee_psp", "Complaints as the payee's PSP")),
    ),
    "adviser_key": Dimension("adviser_key", dynamic=True),
    "credit_related": Dimension("credit_activity", fixed=(("credit_related", "Credit-related complaints"),)),
}


@dataclass(frozen=True)
class ColumnSpec:
    code: str
    label: str
    measure: str | None = None
    context: str | None = None
    money: bool = False
    divide_by: int | None = None
    """Context reported in units of this many (1AD Table 3: thousands)."""
    per_1000_of: str | None = None
    """`measure` per 1,000 of this context figure of the row, two decimals (Annex 1B's per-1,000 figures)."""
    percent_of: str | None = None
    """A percentage: `measure` as a share of this fact, 0-100 with two decimals (Annex 1B)."""
    most_of: str | None = None
    """The code of this dimension with most of `measure` in the row, ties to the first in taxonomy order
    (Annex 1B's main cause)."""
    label_of: str | None = None
    """The taxonomy label of the code in this other (`most_of`, listed earlier) column of the row (Annex 1B's main
    cause label)."""
    percent: bool = False
    """A percentage (0-100, two decimals) the return's own code computes (Annex 1B's credit-related upheld share)."""

    @property
    def is_percent(self) -> bool:
        """Whether the column holds a percentage, by the engine (`percent_of`) or by the return's code (`percent`)."""
        return self.percent or self.percent_of is not None


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    scope: str
    rows: Dimension
    row_dimension: str
    columns: tuple[ColumnSpec, ...]
    column_dimension: str | None = None
    blank_row_unless: str | None = None
    """Annex 1AA: a row is blank unless this fact is non-zero in it (1AD Table 1: opened; Table 2: closed)."""
    listed_when: tuple[str, ...] = ()
    """Dynamic rows only: a row is listed when any of these facts is non-zero in it (Annex 1C: an adviser with
    something received, closed or upheld in the period); empty: any activity fact."""
    row_numbers: tuple[tuple[str, int], ...] = ()
    """(row code, the form's own row number) where the form numbers its rows (Annex 1AB rows 10-30)."""
    money_rows: tuple[str, ...] = ()
    """Rows whose figures are pounds, where a row rather than a column says so (Annex 1AB Table 2, rows 27-30)."""

    def row_number(self, code: str) -> int | None:
        """The form's number of a row, or None where the form has none."""
        return dict(self.row_numbers).get(code)

    def row_codes(self) -> list[str]:
        return [code for code, _ in self.row_labels()]

    def row_labels(self) -> list[tuple[str, str]]:
        """(code, label) of every row, in form order (empty for dynamic rows)."""
        pairs = list(self.rows.fixed)
        if self.rows.codes:
            taxonomy = load_taxonomy()
            pairs += [(code, taxonomy.label(self.rows.codes, code)) for code in taxonomy.codes(self.rows.codes)]
        return pairs

    def row_label(self, code: str) -> str:
        return dict(self.row_labels()).get(code, code)

    def column_codes(self) -> list[str]:
        return [c.code for c in self.columns]


@dataclass(frozen=True)
class Layout:
    return_code: str
    version: str
    title: str
    header: tuple[dict[str, str], ...]
    parts: dict[str, tuple[str, ...]]
    tables: dict[str, TableSpec]
    raw: dict[str, Any]


def _columns(raw: Any) -> tuple[tuple[ColumnSpec, ...], str | None]:
    if isinstance(raw, dict) and "dimension" in raw:
        dimension = DIMENSIONS[raw["dimension"]]
        taxonomy = load_taxonomy()
        specs = tuple(
            ColumnSpec(code=code, label=taxonomy.label(dimension.codes, code), measure=raw["measure"])
            for code in taxonomy.codes(dimension.codes)
        )
        return specs, raw["dimension"]
    return tuple(ColumnSpec(**item) for item in raw), None


def _read_raw(name: str) -> dict[str, Any]:
    """A layout file's content; `extends: <other layout>` takes every top-level key it does not set from that one."""
    with open(LAYOUTS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if "extends" in raw:
        raw = {**_read_raw(raw["extends"]), **raw}
    return raw


@lru_cache(maxsize=None)
def load_layout(name: str) -> Layout:
    """Read schemas/layouts/<name>.yaml: a return's own layout (named by its code) or a variant of it
    (e.g. annex1b-cmc, the claims-management summary)."""
    raw = _read_raw(name)
    tables = {}
    for key, spec in raw["tables"].items():
        columns, column_dimension = _columns(spec["columns"])
        row_dimension = spec["rows"]["dimension"]
        numbers = {str(code): int(number) for code, number in (spec.get("row_numbers") or {}).items()}
        money_rows: tuple[str, ...] = ()
        if row_dimension in DIMENSIONS:
            rows = DIMENSIONS[row_dimension]
        else:  # rows listed in the layout itself, e.g. Annex 1AB Table 2 (rows 22-30)
            listed = raw[row_dimension]
            rows = Dimension(column="", fixed=tuple((item["code"], item["label"]) for item in listed))
            numbers.update({item["code"]: int(item["number"]) for item in listed if "number" in item})
            money_rows = tuple(item["code"] for item in listed if item.get("money"))
        tables[str(key)] = TableSpec(
            key=str(key),
            title=spec["title"],
            scope=spec.get("scope", "all"),
            rows=rows,
            row_dimension=row_dimension,
            columns=columns,
            column_dimension=column_dimension,
            blank_row_unless=spec.get("blank_row_unless"),
            listed_when=tuple(spec["rows"].get("listed_when") or ()),
            row_numbers=tuple(numbers.items()),
            money_rows=money_rows,
        )
    return Layout(
        return_code=raw["return"],
        version=str(raw["layout_version"]),
        title=raw["title"],
        header=tuple(raw.get("header") or ()),
        parts={k: tuple(str(t) for t in v) for k, v in (raw.get("parts") or {}).items()},
        tables=tables,
        raw=raw,
    )


@lru_cache(maxsize=None)
def layout_for(return_code: str, layout_version: str | None = None) -> Layout:
    """The layout a return document was produced with: the layout file of that return and version (a return
    can have variants, e.g. Annex 1B by product group or by type of claim), else the return's own layout."""
    for path in sorted(LAYOUTS_DIR.glob("*.yaml")):
        layout = load_layout(path.stem)
        if layout.return_code == return_code and layout.version == layout_version:
            return layout
    return load_layout(return_code)


def document_layout(document: dict[str, Any]) -> Layout:
    """The layout of a return document (JSON), from its `return` and `layout_version`."""
    return layout_for(document["return"], document.get("layout_version"))


ADVISER_KEY_FORMS = {"NI": "NI number and date of birth", "PP": "passport, nationality and date of birth"}


def adviser_pseudonyms(keys: list[str]) -> list[str]:
    """Stand-ins for adviser keys (Annex 1C's rows, personal data) wherever they are shown, in the order of the
    return's table: "Adviser 3 (keyed by IRN)", no character of the identifier kept, and no hash of it either (an
    IRN has few enough values to try them all). The number is the row's place in the return's JSON table, where
    a reviewer allowed to see the key finds it."""
    forms = [ADVISER_KEY_FORMS.get(str(key).split(":")[0], "IRN") for key in keys]
    return [f"Adviser {i} (keyed by {form})" for i, form in enumerate(forms, start=1)]


def row_names(document: dict[str, Any], table: str) -> dict[str, str]:
    """How each row key of a table of a return is shown outside the JSON and the workbook: an adviser key as its
    pseudonym (adviser_pseudonyms), any other row as its code."""
    rows = list(document["tables"].get(table, {}))
    spec = document_layout(document).tables.get(table)
    if spec is not None and spec.row_dimension == "adviser_key":
        return dict(zip(rows, adviser_pseudonyms(rows), strict=True))
    return {row: row for row in rows}
