"""What every return shares: the inputs of a build, the result, and the return-level warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportkit import rules
from reportkit.aggregate import (
    LINEAGE_COLUMNS,
    LINEAGE_SOURCE_COLUMNS,
    TableInput,
    build_cells,
    build_lineage,
    concat_lineage,
    lineage_frame,
)
from reportkit.calendar import Period
from reportkit.config import Config, Firm
from reportkit.distinct import text_of
from reportkit.layouts import Layout
from reportkit.measures import period_facts
from reportkit.validation.report import findings_frame


@dataclass
class BuildInputs:
    """Everything a return is built from, for one entity and one period."""

    complaints: pd.DataFrame  # classified (reportkit.classify)
    redress_lines: pd.DataFrame  # reportkit.classify.redress_lines
    context: pd.DataFrame | None  # typed context figures, or None
    config: Config
    firms: list[Firm]  # the firms the return covers; the first is the reporting firm
    period: Period
    computed: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What a builder computed that another of the same inputs reuses (the Annex 1 period facts its Annex 1B
    summary is built from), so it is worked out once."""

    @property
    def reporting_firm(self) -> Firm:
        return self.firms[0]

    @property
    def frns(self) -> list[str]:
        return [firm.frn for firm in self.firms]


@dataclass
class ReturnResult:
    """A built return: the JSON document, the lineage of its cells, and warnings found while building."""

    document: dict[str, Any]
    lineage: pd.DataFrame | None = None
    warnings: pd.DataFrame | None = None
    stem: str = ""
    """File name of the return in returns/: its code, or e.g. annex1c--234567 for one member of a group run."""

    def __post_init__(self) -> None:
        if self.lineage is None:
            self.lineage = pd.DataFrame(columns=LINEAGE_COLUMNS)
        self.stem = self.stem or self.document["return"]

    @property
    def code(self) -> str:
        return self.document["return"]


def document_shell(layout: Layout, inputs: BuildInputs, nil_return: bool) -> dict[str, Any]:
    """The fields every return's JSON starts with (docs/returns.md)."""
    return {
        "return": layout.return_code,
        "layout_version": layout.version,
        "reporting_firm": inputs.reporting_firm.frn,
        "firms": list(inputs.frns),
        "period": inputs.period.to_json(),
        "nil_return": bool(nil_return),
        "header": {},
        "tables": {},
    }


def group_header(inputs: BuildInputs) -> dict[str, Any]:
    """DISP 1.10.1C: a joint report says it covers more than one firm and lists the others' FRNs."""
    return group_header_of(inputs.firms)


def group_header_of(firms: list[Firm]) -> dict[str, Any]:
    """The group-reporting answers for a return covering `firms` (the first reports)."""
    return {
        "group_reporting": len(firms) > 1,
        "additional_frns": sorted(firm.frn for firm in firms[1:] if firm.frn != firms[0].frn),
    }


def build_tables(layout: Layout, keys: list[str], data_by_scope: dict[str, TableInput]) -> tuple[dict, pd.DataFrame]:
    """Build the listed tables of a layout; returns (tables JSON, lineage)."""
    tables, lineage = {}, []
    for key in keys:
        spec = layout.tables[key]
        data = data_by_scope[spec.scope]
        cells = build_cells(spec, data)
        tables[key] = cells
        lineage.append(build_lineage(layout.return_code, spec, data, cells))
    return tables, concat_lineage(lineage)


def facts_for(inputs: BuildInputs, complaints: pd.DataFrame, annex: str = "annex1") -> pd.DataFrame:
    """Per-complaint facts for the period: Annex 1 bands and redress (also 1AB, 1B, 1C), or with annex="1ad"
    the 15/35 business-day bands and redress without the transaction amount (DISP 1.6.2AR, 1.10B.8G(4))."""
    if annex == "1ad":
        band_column, bands, flag = "band_1ad", rules.ANNEX1AD_BANDS, "counts_1ad"
    else:
        band_column, bands, flag = "band_annex1", rules.ANNEX1_BANDS, "counts_annex1"
    return period_facts(
        complaints,
        inputs.redress_lines,
        inputs.period,
        inputs.config.redress_attribution,
        band_column=band_column,
        bands=bands,
        redress_flag=flag,
    )


def is_nil(facts: pd.DataFrame) -> bool:
    """Nil return: nothing received in the period and nothing outstanding at its start (rules.md)."""
    return int(facts["opened"].sum()) == 0 and int(facts["outstanding_at_start"].sum()) == 0


def context_rows(inputs: BuildInputs, measures: list[str]) -> pd.DataFrame:
    """The context figures of the covered firms for the period end, for these measures."""
    context = inputs.context
    if context is None or context.empty:
        return pd.DataFrame(columns=["firm_frn", "period_end", "measure", "key", "value"])
    return context[
        context["firm_frn"].isin(inputs.frns)
        & (context["period_end"] == pd.Timestamp(inputs.period.end))
        & context["measure"].isin(measures)
    ]


def context_total(inputs: BuildInputs, measure: str) -> int | float | None:
    """A context figure of the covered firms for the period end (summed over firms), or None when none given."""
    rows = context_rows(inputs, [measure])
    if rows.empty:
        return None
    total = float(rows["value"].sum())
    return int(total) if total.is_integer() else total


def lineage_rows(
    return_code: str,
    table: str,
    complaints: pd.DataFrame,
    fact: pd.Series,
    row_column: str | None,
    column_column: str | None,
    row_code: str | None = None,
    column_code: str | None = None,
) -> pd.DataFrame:
    """Lineage of one fact: the complaints where it is non-zero, with their row and column codes (from the
    named complaint columns, or fixed codes)."""
    wanted = list(dict.fromkeys([c for c in (row_column, column_column) if c] + LINEAGE_SOURCE_COLUMNS))
    chosen = complaints.loc[fact.to_numpy() != 0, wanted]
    rows = text_of(chosen[row_column]).array if row_column else row_code
    columns = text_of(chosen[column_column]).array if column_column else column_code
    return lineage_frame(return_code, table, rows, columns, chosen)


def warning(rule: str, column: str, value: Any, message: str, file: str) -> pd.DataFrame:
    """One return-level warning (not tied to a complaint row)."""
    return findings_frame(
        pd.DataFrame({"value": [value]}),
        severity="warning",
        file=file,
        column=column,
        rule=rule,
        message=message,
        value_column="value",
    )


def closed_exceeds_open_warnings(
    return_code: str, table: str, rows: pd.Series, facts: pd.DataFrame
) -> list[pd.DataFrame]:
    """Warn where a row closed more complaints than were outstanding at its start plus opened in it:
    the extract is missing complaints received before its first date, or dates are wrong."""
    sums = facts[["closed", "outstanding_at_start", "opened"]].groupby(rows).sum()
    bad = sums[sums["closed"] > sums["outstanding_at_start"] + sums["opened"]]
    return [
        warning(
            "closed_exceeds_outstanding_plus_opened",
            f"{table}:{code}",
            int(row.closed),
            f"{return_code} table {table} row {code}: {int(row.closed)} closed but only "
            f"{int(row.outstanding_at_start)} outstanding at start + {int(row.opened)} opened",
            return_code,
        )
        for code, row in sums.loc[bad.index].iterrows()
    ]
