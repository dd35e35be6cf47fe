"""Generic table building: a layout table + per-complaint facts -> JSON cells and their lineage.

A cell is the sum of one fact over the complaints of its row (and column, for cause tables); money
cells are rounded to whole pounds on that total. Summary tables (Annex 1B) also have columns that are a
percentage of another fact, a rate per 1,000 of a context figure, or the code with most of a fact and its
label. Blank (null) versus 0 follows what the firms declare (docs/rules.md "Nil return and blanks"): a row
the firms do not do business in is blank unless complaints in the period are about it (those are reported,
never dropped, and warned about).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from reportkit.calendar import Period
from reportkit.config import Firm
from reportkit.layouts import DIMENSIONS, ColumnSpec, TableSpec
from reportkit.money import MONEY_UNITS_PER_POUND
from reportkit.rules import per_thousand, summary_percentage, whole_pounds
from reportkit.taxonomy import load_taxonomy

ACTIVITY_FACTS = ("opened", "outstanding_at_start", "closed", "redress")
"""A row with any of these facts in the period is reported with numbers, declared or not."""

LINEAGE_COLUMNS = ["return", "table", "row", "column", "firm_frn", "complaint_id"]

CODED_LINEAGE_COLUMNS = ["return", "table", "row", "column", "firm_frn"]
"""A lineage frame's index holds, for each row, the label of its complaint's row in the classified complaints
frame it was built from, so the facts of those complaints are found without matching ids (never written)."""
"""Lineage columns with a few distinct codes: held as categoricals, so a market-sized lineage (millions of rows)
costs a byte or two per row and cell rather than a string each."""


LINEAGE_SOURCE_COLUMNS = ["firm_frn", "complaint_id"]
"""What lineage takes from a complaint besides its row label: selecting only these (not the whole classified
row of some forty columns) keeps a market-sized return's lineage from copying gigabytes."""


def lineage_frame(return_code: str, table: str, rows: Any, column: Any, complaints: pd.DataFrame) -> pd.DataFrame:
    """Lineage rows of `complaints` for one cell or column of cells: `rows` and `column` are one code or one
    code per complaint. Coded columns are categoricals; the complaint ids stay in their text array."""
    n = len(complaints)

    def coded(value: Any) -> pd.Categorical:
        if isinstance(value, str):
            return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])
        return pd.Categorical(pd.Series(value).astype("category").array)

    return pd.DataFrame(
        {
            "return": coded(return_code),
            "table": coded(table),
            "row": coded(rows),
            "column": coded(column),
            "firm_frn": coded(complaints["firm_frn"].astype("category").array),
            "complaint_id": complaints["complaint_id"].array,
        },
        columns=LINEAGE_COLUMNS,
        index=complaints.index,
    )


def concat_lineage(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The lineage parts one after another, coded columns still categoricals (their categories united)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=LINEAGE_COLUMNS)
    columns: dict[str, Any] = {
        name: union_categoricals([pd.Categorical(f[name]) for f in frames]) for name in CODED_LINEAGE_COLUMNS
    }
    ids = pd.concat([f["complaint_id"] for f in frames])
    columns["complaint_id"] = ids.array
    return pd.DataFrame(columns, columns=LINEAGE_COLUMNS, index=ids.index)


Cells = dict[str, dict[str, int | float | None]]


@dataclass
class TableInput:
    """What a table is built from: the scoped complaints and their facts for the period."""

    complaints: pd.DataFrame
    facts: pd.DataFrame
    firms: list[Firm]
    period: Period
    context: pd.DataFrame | None
    nil_return: bool


def declared_codes(spec: TableSpec, firms: Iterable[Firm]) -> set[str]:
    """Row codes the firms do business in; a dimension with no declaration is always reported."""
    dimension = spec.rows
    codes = spec.row_codes()
    if dimension.declared_by is None:
        return set(codes)
    declared = {code for firm in firms for code in getattr(firm, dimension.declared_by)}
    if dimension.member_codes:
        parents = load_taxonomy().parents[dimension.member_codes]
        return {parents[code] for code in declared if code in parents}
    return declared


def _codes_where(spec: TableSpec, data: TableInput, facts: list[str]) -> set[str]:
    """Row codes with any of these facts non-zero in the period."""
    rows = data.facts[facts].to_numpy().any(axis=1)
    return set(map(str, data.complaints.loc[rows, spec.rows.column].dropna().unique()))


def active_codes(spec: TableSpec, data: TableInput) -> set[str]:
    """Rows reported with numbers (the others are blank).

    Default: declared rows plus rows with activity in the period (so no complaint is ever dropped).
    `blank_row_unless` (Annex 1AA): only rows where that fact is non-zero. Dynamic rows: rows with activity.
    """
    if spec.blank_row_unless:
        return _codes_where(spec, data, [spec.blank_row_unless])
    if spec.rows.dynamic:
        return _codes_where(spec, data, listing_facts(spec))
    return declared_codes(spec, data.firms) | _codes_where(spec, data, list(ACTIVITY_FACTS))


def listing_facts(spec: TableSpec) -> list[str]:
    """The facts that list a dynamic row: the layout's `listed_when`, else any activity fact."""
    return list(spec.listed_when or ACTIVITY_FACTS)


def row_codes(spec: TableSpec, data: TableInput) -> list[str]:
    """The table's rows: the layout's, or for dynamic rows those listed by their facts, sorted."""
    if spec.rows.dynamic:
        return [] if data.nil_return else sorted(_codes_where(spec, data, listing_facts(spec)))
    return spec.row_codes()


def _measure_sums(spec: TableSpec, data: TableInput, codes: list[str], measures: list[str]) -> pd.DataFrame:
    """Sum of each named fact by row code (rows x facts), zeros where nothing."""
    table = data.facts[measures].groupby(data.complaints[spec.rows.column]).sum()
    table.index = table.index.astype(str)
    return table.reindex(index=codes, columns=measures, fill_value=0).fillna(0)


def _most_of(spec: TableSpec, data: TableInput, codes: list[str], column: ColumnSpec) -> pd.Series:
    """Per row code, the code of `column.most_of` with most of `column.measure` (Annex 1B's main cause); a tie
    goes to the first in taxonomy order (idxmax returns the first maximum); None where the row has none."""
    dimension = DIMENSIONS[column.most_of]
    keys = [data.complaints[spec.rows.column], data.complaints[dimension.column]]
    by_code = data.facts[column.measure].groupby(keys).sum().unstack(fill_value=0)
    by_code.index = by_code.index.astype(str)
    order = load_taxonomy().codes(dimension.codes)
    by_code = by_code.reindex(index=codes, columns=order, fill_value=0).fillna(0)
    main = by_code.idxmax(axis=1).astype(object)
    return main.where(by_code.max(axis=1) > 0, None)


def _sums(spec: TableSpec, data: TableInput, codes: list[str]) -> pd.DataFrame:
    """Sum of each column's fact by row code (rows x column codes), zeros where nothing."""
    rows = data.complaints[spec.rows.column]
    if spec.column_dimension:
        measure = spec.columns[0].measure
        columns = data.complaints[spec.column_dimension]
        table = data.facts[measure].groupby([rows, columns]).sum().unstack(fill_value=0)
    else:
        summed = [c for c in spec.columns if c.measure and not c.most_of]
        table = data.facts[[c.measure for c in summed]].groupby(rows).sum()
        table.columns = [c.code for c in summed]
    table.index = table.index.astype(str)
    return table.reindex(index=codes, columns=spec.column_codes(), fill_value=0).fillna(0)


def context_values(spec: TableSpec, data: TableInput, measure: str) -> dict[str, float | None]:
    """Context figure per row code: the figure of each product, summed over a group's declared products."""
    taxonomy = load_taxonomy()
    if data.context is None or data.context.empty:
        return {}
    frns = [firm.frn for firm in data.firms]
    period_end = pd.Timestamp(data.period.end)
    rows = data.context[
        data.context["firm_frn"].isin(frns)
        & (data.context["period_end"] == period_end)
        & (data.context["measure"] == measure)
    ]
    by_product = rows.groupby("key")["value"].sum()
    if spec.rows.member_codes is None:
        return by_product.to_dict()
    declared = {code for firm in data.firms for code in getattr(firm, spec.rows.declared_by)}
    parents = taxonomy.parents[spec.rows.member_codes]
    offered = by_product[[code in declared or code not in parents for code in by_product.index]]
    return offered.groupby(offered.index.map(parents)).sum().to_dict()


def _context_applies(spec: TableSpec, row_code: str, measure: str) -> bool:
    """A Part A group whose context measure the taxonomy gives as null (banking has no intermediation) is blank."""
    if spec.row_dimension not in ("product", "product_group"):
        return True
    taxonomy = load_taxonomy()
    group = row_code if spec.row_dimension == "product_group" else taxonomy.parents["part_a_products"].get(row_code)
    return taxonomy.raw["part_a_product_groups"].get(group, {}).get(f"context_{measure}") is not None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def build_cells(spec: TableSpec, data: TableInput, active: set[str] | None = None) -> Cells:
    """Every cell of one table, in layout order; None marks a blank cell.

    Args:
        active: the rows reported with numbers, when the caller's return decides them (default: active_codes).
    """
    codes, column_codes = row_codes(spec, data), spec.column_codes()
    if data.nil_return:
        return {row: {col: None for col in column_codes} for row in codes}
    active = active_codes(spec, data) if active is None else active
    sums = _sums(spec, data, codes)
    contexts = {c.context: context_values(spec, data, c.context) for c in spec.columns if c.context}
    contexts |= {c.per_1000_of: context_values(spec, data, c.per_1000_of) for c in spec.columns if c.per_1000_of}
    wholes = _measure_sums(spec, data, codes, sorted({c.percent_of for c in spec.columns if c.percent_of}))
    mains = {c.code: _most_of(spec, data, codes, c) for c in spec.columns if c.most_of}
    most_of = {c.code: c.most_of for c in spec.columns if c.most_of}
    taxonomy = load_taxonomy()
    cells: Cells = {}
    for row in codes:
        cells[row] = {}
        for column in spec.columns:
            if row not in active:
                value = None
            elif column.most_of:
                value = mains[column.code][row]
            elif column.label_of:
                code = cells[row][column.label_of]
                value = None if code is None else taxonomy.label(DIMENSIONS[most_of[column.label_of]].codes, code)
            elif column.per_1000_of:
                applies = _context_applies(spec, row, column.per_1000_of)
                figure = contexts[column.per_1000_of].get(row) if applies else None
                value = per_thousand(int(sums.at[row, column.code]), figure)
            elif column.percent_of:
                value = summary_percentage(int(sums.at[row, column.code]), int(wholes.at[row, column.percent_of]))
            elif column.context:
                figure = contexts[column.context].get(row)
                if figure is None or not _context_applies(spec, row, column.context):
                    value = None
                else:
                    value = _number(round(figure / column.divide_by, 6) if column.divide_by else figure)
            elif column.money:
                value = int(whole_pounds(int(sums.at[row, column.code]), MONEY_UNITS_PER_POUND))
            else:
                value = int(sums.at[row, column.code])
            cells[row][column.code] = value
    return cells


def declared_row_cells(
    rows: list[dict[str, Any]],
    facts: pd.DataFrame,
    context: Callable[[str], int | float | None],
    nil_return: bool,
    column: str = "value",
) -> Cells:
    """A table whose rows the layout declares one by one (Annex 1AB Table 2): each row is a `measure` (the sum of
    a per-complaint fact), a `context` figure (0 when none is given: no such amount was made) or the `sum_of`
    earlier rows as reported; `money: true` rows are in whole pounds. A nil return is blank."""
    cells: Cells = {}
    for item in rows:
        code = item["code"]
        value: int | None
        if nil_return:
            value = None
        elif "measure" in item:
            total = int(facts[item["measure"]].sum())
            value = int(whole_pounds(total, MONEY_UNITS_PER_POUND)) if item.get("money") else total
        elif "context" in item:
            figure = context(item["context"]) or 0
            units = round(figure * MONEY_UNITS_PER_POUND) if item.get("money") else figure
            value = int(whole_pounds(units, MONEY_UNITS_PER_POUND)) if item.get("money") else int(units)
        else:
            value = sum(int(cells[part][column] or 0) for part in item["sum_of"])
        cells[code] = {column: value}
    return cells


def declared_row_lineage(
    return_code: str, table: str, rows: list[dict[str, Any]], complaints: pd.DataFrame, facts: pd.DataFrame
) -> list[pd.DataFrame]:
    """The complaints behind each `measure` row of declared_row_cells (context and sum rows have none)."""
    parts = []
    for item in rows:
        if "measure" in item:
            chosen = complaints.loc[facts[item["measure"]].to_numpy() != 0, LINEAGE_SOURCE_COLUMNS]
            parts.append(lineage_frame(return_code, table, item["code"], "value", chosen))
    return parts


def build_lineage(return_code: str, spec: TableSpec, data: TableInput, cells: Cells) -> pd.DataFrame:
    """For every non-blank counted cell, the complaints behind it (one row per complaint per cell)."""
    parts = []
    rows = data.complaints[spec.rows.column]
    for column in spec.columns:
        if not column.measure:
            continue
        contributes = data.facts[column.measure].to_numpy() != 0
        if spec.column_dimension:
            contributes &= (data.complaints[spec.column_dimension] == column.code).to_numpy()
        non_blank_rows = [code for code, row in cells.items() if row.get(column.code) is not None]
        mask = contributes & rows.isin(non_blank_rows).to_numpy(dtype=bool)
        if column.most_of:  # Annex 1B's main cause: the complaints of the cause it names, not the whole row
            named = rows.map({code: row[column.code] for code, row in cells.items()}).astype(object)
            mask &= (data.complaints[DIMENSIONS[column.most_of].column].astype(object) == named).to_numpy(dtype=bool)
        if not mask.any():
            continue
        chosen = data.complaints.loc[
            mask, list(dict.fromkeys([spec.rows.column, *LINEAGE_SOURCE_COLUMNS]))
        ]  # not the whole row
        parts.append(lineage_frame(return_code, spec.key, chosen[spec.rows.column].array, column.code, chosen))
    return concat_lineage(parts)
