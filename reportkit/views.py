"""What the notebooks show: the rendering module, which reads only a run folder.

A notebook takes one parameter, `run_dir` (the run folder; the sample run bundled in the package when None),
and calls these functions to display the returns, charts and findings the run wrote there. Nothing here reads
the raw inputs, validates or counts a figure again (an import-linter contract keeps this module away from the
pipeline): every figure comes from returns/*.json, facts/*.parquet, validation/*.csv and run.json.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reportkit.calendar import Period
from reportkit.distinct import by_value, text_of
from reportkit.layouts import adviser_pseudonyms, document_layout
from reportkit.paths import SAMPLE_RUN_DIR
from reportkit.review_page import lineage_file
from reportkit.taxonomy import load_taxonomy


@dataclass
class ReturnView:
    """A built return as the run wrote it, with the run's facts about it, for one notebook."""

    document: dict[str, Any]
    facts: pd.DataFrame
    """Per-complaint figures for charts (facts/<stem>.parquet), empty when the return has none."""
    period: Period
    note: str | None = None
    """Why the period is shorter than its ARD-based length (the 2027 boundary), else None."""
    redress_basis: str = ""
    """The redress basis the run used and the configuration key that changes it."""
    run: dict[str, Any] = field(default_factory=dict)
    """run.json: run id, inputs by name, rows and sha256, firms, regimes."""


def run_folder(run_dir: str | None) -> Path:
    """The run folder a notebook shows: the one given, or the sample run bundled in the package."""
    return Path(run_dir) if run_dir is not None else SAMPLE_RUN_DIR


def read_run(run_dir: str | None) -> dict[str, Any]:
    """run.json of the run folder."""
    return json.loads((run_folder(run_dir) / "run.json").read_text(encoding="utf-8"))


def load_return(run_dir: str | None, return_stem: str) -> ReturnView:
    """The return `return_stem` (its file name in returns/, e.g. annex1 or annex1c--234567) of a run folder."""
    folder = run_folder(run_dir)
    document = json.loads((folder / "returns" / f"{return_stem}.json").read_text(encoding="utf-8"))
    facts_file = folder / "facts" / f"{return_stem}.parquet"
    facts = pd.read_parquet(facts_file) if facts_file.is_file() else pd.DataFrame(columns=["days_to_close"])
    run = read_run(run_dir)
    period = Period(
        dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"])
    )
    note = run.get("returns", {}).get(return_stem, {}).get("note")
    return ReturnView(document, facts, period, note, run.get("redress_basis", ""), run)


def redress_basis_line(view: ReturnView) -> str:
    """The redress basis the return used and the configuration key that changes it (docs/rules.md "Redress")."""
    return f"*{view.redress_basis}.*"


def header_frame(document: dict[str, Any]) -> pd.DataFrame:
    """The header questions with their labels and answers."""
    labels = {item["code"]: item["label"] for item in document_layout(document).header}
    return pd.DataFrame(
        [
            {"question": labels.get(code, code), "code": code, "answer": _answer(value)}
            for code, value in document["header"].items()
        ]
    ).set_index("code")


def _answer(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(f"{v['name']} ({v['frn']})" if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def table_frame(document: dict[str, Any], key: str) -> pd.DataFrame:
    """One table of the return with row and column labels; blank cells are shown empty."""
    spec = document_layout(document).tables[key]
    cells = document["tables"][key]
    frame = pd.DataFrame.from_dict(cells, orient="index").reindex(columns=spec.column_codes())
    if spec.rows.dynamic:  # Annex 1C adviser keys are personal data: never shown in anything rendered
        frame.index = adviser_pseudonyms(list(frame.index))
    else:
        frame.index = [spec.row_label(code) for code in frame.index]
    frame.columns = [c.label for c in spec.columns]
    return frame.astype(object).map(cell_text)


def cell_text(value: Any) -> str:
    """How a return cell reads in a report: whole numbers with separators, blank cells empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (int, float)):
        return f"{int(value):,}"
    return str(value)


def setup_display() -> None:
    """Show whole labels and every row in notebook tables (the questions are long, the tables tall)."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)


def table_keys(document: dict[str, Any]) -> list[str]:
    return list(document["tables"])


def _part_a_by_group(document: dict[str, Any], table_a1: str, table_a2: str) -> pd.DataFrame:
    """A Part A table of the return summed to product groups, read from the document (never recounted):
    Part A-1 tables are by group already; Part A-2 tables are by product."""
    if table_a1 in document["tables"]:
        frame = pd.DataFrame.from_dict(document["tables"][table_a1], orient="index")
    else:
        frame = pd.DataFrame.from_dict(document["tables"][table_a2], orient="index")
        frame = frame.groupby(frame.index.map(load_taxonomy().parents["part_a_products"])).sum(min_count=1)
    return frame.dropna(how="all").astype(float)


def opened_by_product_group(view: ReturnView) -> pd.Series:
    """Complaints opened in the period per Part A product group, from the return's Table 1 or 4."""
    opened = _part_a_by_group(view.document, "1", "4").sum(axis=1)
    labels = load_taxonomy().labels["part_a_product_groups"]
    return opened.reindex([g for g in labels if g in opened.index]).rename(index=labels)


def upheld_rate_by_product_group(view: ReturnView) -> pd.Series:
    """Upheld as a percentage of complaints closed in the period, per product group, from Table 2 or 5."""
    table = _part_a_by_group(view.document, "2", "5")
    closed = table[["closed_within_3_days", "closed_3_days_to_8_weeks", "closed_after_8_weeks"]].sum(axis=1)
    rate = (100 * table["upheld"] / closed.where(closed > 0)).round(1).dropna()
    labels = load_taxonomy().labels["part_a_product_groups"]
    return rate.reindex([g for g in labels if g in rate.index]).rename(index=labels)


def days_to_close(view: ReturnView) -> pd.Series:
    """Calendar days from receipt to closure of each complaint the return counts that closed in the period, as
    the run wrote them (facts/<stem>.parquet)."""
    return view.facts["days_to_close"].astype("int64").rename("days to close")


def read_findings(run_dir: str | None, kind: str) -> pd.DataFrame:
    """errors or warnings as the run wrote them (validation/<kind>.csv, personal data already masked)."""
    return pd.read_csv(run_folder(run_dir) / "validation" / f"{kind}.csv", dtype=str, keep_default_na=False)


def checks_that_ran(run_dir: str | None) -> pd.DataFrame:
    """Every check the run's validation ran (validation/checks.csv): file, rule, rows checked, errors, warnings."""
    path = run_folder(run_dir) / "validation" / "checks.csv"
    if not path.is_file():  # a run folder written before reportkit recorded its checks
        return pd.DataFrame(columns=["file", "rule", "rows_checked", "errors", "warnings"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("rows_checked", "errors", "warnings"):
        frame[column] = frame[column].astype("int64").map(cell_text)
    return frame.rename(columns={"rows_checked": "rows checked"})


def findings_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """How many findings each rule produced."""
    if findings.empty:
        return pd.DataFrame(columns=["severity", "rule", "count"])
    return findings.groupby(["severity", "rule"]).size().rename("count").reset_index()


def run_findings(run_dir: str | None) -> pd.DataFrame:
    """Every finding of the run: its errors, then its warnings."""
    return pd.concat([read_findings(run_dir, "errors"), read_findings(run_dir, "warnings")], ignore_index=True)


def run_summary(run_dir: str | None) -> str:
    """Which run a page shows: run id, entity, period end, version, and each input by name, rows and sha256."""
    run = read_run(run_dir)
    inputs = "; ".join(
        f"{i['role']} `{i['name']}`" + (f" ({i['rows']:,} rows)" if i["rows"] is not None else "") + f", sha256 "
        f"{i['sha256'][:12]}..."
        for i in run["inputs"]
    )
    commit = f" (commit {run['commit'][:12]})" if run.get("commit") else ""
    return (
        f"Run **{run['run_id']}**: {html_escape(run['entity_name'])} ({run['entity']}), "
        f"period end {run['period_end']}, "
        f"reportkit {run['reportkit']}{commit}. Inputs: {inputs}. Who ran it and when: manifest.json."
    )


def return_name(document: dict[str, Any]) -> str:
    """The return's short name, as the FCA's forms and the workbook's sheets call it: "Annex 1AD"."""
    return "Annex " + document["return"].removeprefix("annex").upper()


def firm_name(run: dict[str, Any], frn: str) -> str:
    """A firm's name from run.json, or its FRN alone when the run does not name it."""
    return next((firm["name"] for firm in run.get("firms", []) if firm["frn"] == frn), frn)


def page_heading(view: ReturnView) -> str:
    """A return page's level-1 heading (also its browser title): which return, whose, which period."""
    document = view.document
    firm = document["reporting_firm"]
    return (
        f"# {return_name(document)} — {html_escape(firm_name(view.run, firm))} ({firm}), "
        f"{document['period']['start']} to {document['period']['end']}\n\n{return_title(document)}"
    )


def validation_heading(run_dir: str | None) -> str:
    """The validation page's level-1 heading (also its browser title): which entity, which period."""
    run = read_run(run_dir)
    # Names come from the configuration: escaped, so that a name such as `<b>` is shown, never taken as markup.
    return f"# Validation — {html_escape(run['entity_name'])} ({run['entity']}), period ending {run['period_end']}"


def findings_table(findings: pd.DataFrame, columns: list[str] | None = None, limit: int | None = None):
    """Findings as a table, or the words "No findings." when there are none (never an empty table)."""
    from IPython.display import Markdown

    if findings.empty:
        return Markdown("*No findings.*")
    shown = findings if columns is None else findings[columns]
    return table(shown.head(limit) if limit else shown)


def findings_headline(findings: pd.DataFrame) -> str:
    errors = int((findings["severity"] == "error").sum())
    warnings = int((findings["severity"] == "warning").sum())
    verdict = "**The extract passed validation.**" if errors == 0 else "**The extract has errors: the run stops.**"
    return f"{verdict} {errors} error(s), {warnings} warning(s)."


def return_headline(document: dict[str, Any], note: str | None = None) -> str:
    """The page's first line: firm, firms covered, period, layout, Part; a shortened period says why."""
    period = document["period"]
    firms = ", ".join(document["firms"])
    nil = " **Nil return.**" if document["nil_return"] else ""
    part = document["header"].get("part_a")
    layout_note = document_layout(document).raw.get("layout_note")  # e.g. a row layout that is reportkit's own
    return (
        f"Reporting firm **{document['reporting_firm']}** (firms covered: {firms}), period **{period['start']}** "
        f"to **{period['end']}**, layout {document['layout_version']}"
        + (f", Part {part}" if part else "")
        + "."
        + nil
        + (f" {' '.join(layout_note.split())}" if layout_note else "")
    ) + (f"\n\n**Shortened period.** {note[0].upper()}{note[1:]}." if note else "")


def table_title(document: dict[str, Any], key: str) -> str:
    return document_layout(document).tables[key].title


CHART_SIZE = (7.5, 4.0)
"""Inches at 100 dpi: 750 pixels wide, readable on a laptop without scrolling."""


def chart(series: pd.Series, kind: str, title: str, xlabel: str = "", marker: float | None = None) -> None:
    """Show a bar chart (one bar per label, its value written at its end) or a histogram of figures computed
    above, as a PNG whose alt text states what it shows; an empty series gets a note instead of a chart.

    The image's bytes depend only on the figures (no software version or date in the PNG), so a re-run
    renders the page byte for byte again."""
    from IPython.display import HTML, Markdown, display

    if series.empty or (kind != "hist" and not series.any()):
        display(Markdown(f"*{title}: nothing to chart for this period.*"))
        return
    display(
        HTML(
            f'<img src="data:image/png;base64,{_chart_png(series, kind, title, xlabel, marker)}" '
            f'alt="{html_escape(chart_alt(series, kind, title, xlabel, marker))}" width="750" height="400">'
        )
    )


def _chart_png(series: pd.Series, kind: str, title: str, xlabel: str, marker: float | None) -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")  # no display, and the same bytes on every machine of the same matplotlib
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=CHART_SIZE, dpi=100, layout="constrained")
    if kind == "hist":
        ax.hist(series, bins=40, color="#1f5f99")
        ax.set_ylabel("complaints")
    else:
        bars = ax.barh(list(series.index)[::-1], list(series.values)[::-1], color="#1f5f99")
        ax.bar_label(bars, labels=[cell_text(v) for v in list(series.values)[::-1]], padding=3)
        ax.margins(x=0.12)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if marker is not None:
        ax.axvline(marker, color="#b00020", linestyle="--")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chart_alt(series: pd.Series, kind: str, title: str, xlabel: str = "", marker: float | None = None) -> str:
    """What a chart shows, in words, for a screen reader and for a reviewer who cannot see the image: every
    bar's label and value, or a histogram's count, range, median and how many lie beyond the marker."""
    if kind == "hist":
        values = series.astype(float)
        beyond = f", {int((values > marker).sum()):,} above {cell_text(marker)}" if marker is not None else ""
        return (
            f"Histogram of {title.lower()} ({xlabel}) for {len(values):,} complaints: from {cell_text(values.min())} "
            f"to {cell_text(values.max())}, median {cell_text(values.median())}{beyond}."
        )
    bars = "; ".join(f"{label}: {cell_text(value)}" for label, value in series.items())
    return f"Bar chart of {title.lower()} ({xlabel}) by product group. {bars}."


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def table(frame: pd.DataFrame, index_label: str | None = None, text: bool = False):
    """A frame as an HTML table with a heading on every column (the row labels' column too, named
    `index_label`; dropped when None): no empty header cell for a screen reader to stumble on. `text`: every
    column reads left-aligned (questions and answers); otherwise only the first (the labels)."""
    from IPython.display import HTML

    shown = frame.rename_axis(index_label).reset_index() if index_label else frame
    return HTML(shown.to_html(index=False, classes="text" if text else None, border=0, escape=True, na_rep=""))


def return_title(document: dict[str, Any]) -> str:
    return document_layout(document).title


# ----------------------------------------------------------------------------- drill-down
CELL_LIMIT = 300
"""Complaints listed per cell on a drill-down page; a larger cell names the lineage file with all of them."""

COMPLAINTS_SUFFIX = "-complaints"
"""facts/<stem>-complaints.parquet: the run's per-complaint facts of a return's lineage (reportkit.review)."""


def drilldown_page_name(stem: str) -> str:
    """The drill-down page of a return, beside its rendered page in html/."""
    return f"{stem}-cells.html"


def has_drilldown(run_dir: str | Path | None, stem: str) -> bool:
    """Whether the run wrote the complaints behind the return's cells (a non-nil return with lineage)."""
    folder = run_folder(None if run_dir is None else str(run_dir))
    return (folder / "facts" / f"{stem}{COMPLAINTS_SUFFIX}.parquet").is_file() and lineage_file(
        folder, stem
    ) is not None


def _anchor_part(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_]+", "_", str(text))


def counted_cells(document: dict[str, Any]) -> pd.DataFrame:
    """Every non-blank counted cell of the return (a count or a sum of complaints, not a ratio or a label), in
    table, row and column order: table, row code, row label, column code, column label, value and the anchor
    of its section on the drill-down page. Annex 1C's adviser rows are labelled and anchored by pseudonym."""
    records = []
    layout = document_layout(document)
    for key, cells in document["tables"].items():
        spec = layout.tables[key]
        labels = adviser_pseudonyms(list(cells)) if spec.rows.dynamic else [spec.row_label(code) for code in cells]
        for position, (row, label) in enumerate(zip(cells, labels, strict=True), start=1):
            row_anchor = f"adviser{position}" if spec.rows.dynamic else _anchor_part(row)
            for column in spec.columns:
                value = cells[row].get(column.code)
                if value is None or not column.measure or column.is_percent or column.per_1000_of:
                    continue
                records.append(
                    {
                        "table": key,
                        "row": row,
                        "row_label": label,
                        "column": column.code,
                        "column_label": column.label,
                        "value": value,
                        "anchor": f"t{_anchor_part(key)}-{row_anchor}-{_anchor_part(column.code)}",
                    }
                )
    columns = ["table", "row", "row_label", "column", "column_label", "value", "anchor"]
    return pd.DataFrame(records, columns=columns)


def return_table(document: dict[str, Any], key: str, stem: str, run_dir: str | None = None):
    """One table of the return as HTML, each non-blank counted cell a link to its section of the drill-down
    page (html/<stem>-cells.html, a relative link: it works offline from the file system); without
    drill-down data, the plain table."""
    from IPython.display import HTML

    frame = table_frame(document, key)
    if not has_drilldown(run_dir, stem):
        return table(frame, "row")
    page = drilldown_page_name(stem)
    cells = counted_cells(document)
    cells = cells[cells["table"] == key]
    row_codes = list(document["tables"][key])
    column_codes = document_layout(document).tables[key].column_codes()
    links = {
        (row, column): anchor for row, column, anchor in cells[["row", "column", "anchor"]].itertuples(index=False)
    }
    head = "".join(f'<th scope="col">{html_escape(c)}</th>' for c in ["row", *frame.columns])
    body = []
    for position, label in enumerate(frame.index):
        row = row_codes[position]
        tds = []
        for column, text in zip(column_codes, frame.iloc[position], strict=True):
            anchor = links.get((row, column))
            shown = html_escape(text)
            tds.append(f'<td><a href="{page}#{anchor}">{shown}</a></td>' if anchor else f"<td>{shown}</td>")
        body.append(f'<tr><th scope="row">{html_escape(label)}</th>{"".join(tds)}</tr>')
    return HTML(
        f'<table border="0" class="dataframe"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


DRILLDOWN_COLUMNS = {
    "complaint_id": "complaint id",
    "firm_frn": "firm (FRN)",
    "received": "received",
    "closed": "closed",
    "business_days_to_close": "business days to close",
    "band": "band",
    "upheld_reason": "upheld or not, and why",
    "redress_counted_gbp": "redress counted (£)",
    "redress_left_out_gbp": "redress left out (£)",
    "redress_left_out_rule": "why left out",
}
"""The drill-down table's columns and headings: no adviser identifier, no other personal data."""

DRILLDOWN_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fff; }
table { border-collapse: collapse; margin: 0.5rem 0 2rem; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #8a8a8a; padding: 0.2rem 0.5rem; text-align: left; }
td.n { text-align: right; }
a { color: #0b4f8a; }
section:target h2 { background: #fff3bf; }
"""


def _pounds(values: pd.Series) -> pd.Series:
    """Amounts as text with thousands separators and pence ("1,234.50"), made once per distinct amount."""
    return by_value(values.astype(float), lambda amounts: amounts.map(lambda v: f"{v:,.2f}", na_action="ignore"))


HTML_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))
"""html.escape(quote=True), in its order (the ampersand first)."""


def _escape_all(text: pd.Series) -> pd.Series:
    for char, entity in HTML_ENTITIES:
        text = text.str.replace(char, entity, regex=False)
    return text


def _escaped(values: pd.Series) -> pd.Series:
    """html.escape (quote=True) over a whole column at once, once per distinct value (a band or a reason repeats
    across thousands of listed complaints)."""
    return by_value(values.astype("string"), _escape_all)


def complaint_rows_html(frame: pd.DataFrame) -> pd.Series:
    """Each complaint as one table row (the id a row header; text escaped, figures right-aligned), built for
    every listed complaint at once rather than cell by cell."""
    if frame.empty:
        return pd.Series([], dtype="string", index=frame.index)
    text = frame[list(DRILLDOWN_COLUMNS)].astype(object).where(frame.notna(), "")
    text["business_days_to_close"] = frame["business_days_to_close"].astype("Int64").astype("string").fillna("")
    text["redress_counted_gbp"] = _pounds(frame["redress_counted_gbp"])
    text["redress_left_out_gbp"] = _pounds(frame["redress_left_out_gbp"])
    numeric = {"business_days_to_close", "redress_counted_gbp", "redress_left_out_gbp"}
    parts = [_escaped(text["complaint_id"]), pd.Series("</th>", index=frame.index, dtype="string")]
    for column in list(DRILLDOWN_COLUMNS)[1:]:
        opening = '<td class="n">' if column in numeric else "<td>"
        parts += [opening + _escaped(text[column]) + "</td>"]
    return '<tr><th scope="row">' + parts[0].str.cat(parts[1:]) + "</tr>"


def listed_complaints(lineage_path: Path, limit: int) -> tuple[dict[tuple[str, ...], int], pd.DataFrame]:
    """How many complaints are behind each cell of a return's lineage ((table, row, column) -> count), and the
    first `limit` lineage rows of each cell, in the lineage's order, as text.

    A market-sized return has millions of lineage rows and a few thousand listed: the cells are counted and
    numbered on the coded key columns alone, and only the listed rows' complaint ids are turned into Python text.
    """
    cell_keys = ["table", "row", "column"]
    if lineage_path.suffix == ".parquet":
        lineage = pq.read_table(lineage_path, columns=[*cell_keys, "firm_frn", "complaint_id"])
    else:  # an auditor's CSV export of an older run
        lineage = pa.Table.from_pandas(pd.read_csv(lineage_path, dtype=str, keep_default_na=False))
    rank, totals = cell_ranks(lineage.select(cell_keys).to_pandas())
    shown = lineage.filter(pa.array(rank < limit)).to_pandas()
    return totals, shown.assign(**{column: text_of(shown[column]) for column in shown.columns})


def cell_ranks(keys: pd.DataFrame) -> tuple[np.ndarray, dict[tuple[str, ...], int]]:
    """For each row of `keys` (a lineage's key columns), its place among the rows of its cell in lineage order
    (0 for the first), and how many rows each cell has (by its key as text): a groupby's cumcount and size,
    worked out on the columns' category codes, since a market-sized lineage has millions of rows and a few
    hundred cells and a groupby over the three key columns took most of a second."""
    coded = [pd.Categorical(keys[name]) for name in keys.columns]  # an old CSV's text columns become codes
    sizes = [len(column.categories) for column in coded]
    # A row with a missing key is in no cell (as groupby drops it): ranked past every limit, counted nowhere.
    # No lineage reportkit writes has one.
    keyed = np.logical_and.reduce([column.codes >= 0 for column in coded])
    rank = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
    combined = np.zeros(int(keyed.sum()), dtype=np.int64)
    for column, size in zip(coded, sizes, strict=True):
        combined = combined * size + column.codes[keyed].astype(np.int64)
    possible_cells = int(np.prod(sizes, dtype=np.float64))
    if possible_cells <= 2**16:
        codes, cells = np.arange(possible_cells), combined.astype(np.uint16)  # sorted by radix, below
    else:  # many advisers (Annex 1C): number the cells that occur
        codes, cells = np.unique(combined, return_inverse=True)
    order = np.argsort(cells, kind="stable")
    counts = np.bincount(cells, minlength=len(codes))
    first = np.cumsum(counts) - counts
    keyed_rank = np.empty(len(cells), dtype=np.int64)
    keyed_rank[order] = np.arange(len(cells)) - first[cells[order]]
    rank[keyed] = keyed_rank
    totals = {}
    for cell in np.flatnonzero(counts):
        place = np.unravel_index(int(codes[cell]), sizes)
        key = tuple(str(column.categories[at]) for column, at in zip(coded, place, strict=True))
        totals[key] = int(counts[cell])
    return rank, totals


def listed_facts(facts_path: Path, complaint_ids: pd.Series) -> pd.DataFrame:
    """The per-complaint facts of the listed complaints only, filtered in Arrow before any row becomes Python."""
    facts = pq.read_table(facts_path)
    wanted = pa.array(complaint_ids.unique(), pa.large_string())
    return facts.filter(pc.is_in(facts["complaint_id"].cast(pa.large_string()), value_set=wanted)).to_pandas()


def drilldown_html(run_dir: str | Path, stem: str, limit: int = CELL_LIMIT) -> str:
    """The drill-down page of a return: per non-blank counted cell, a section (anchored as the return page's
    links expect) naming the cell and its value and listing the complaints behind it from the run's lineage
    and per-complaint facts; a cell of more than `limit` complaints lists the first `limit`, says how many
    there are and names the lineage file with all of them. Self-contained: no script, nothing from another
    host, no path outside the run folder."""
    folder = Path(run_dir)
    document = json.loads((folder / "returns" / f"{stem}.json").read_text(encoding="utf-8"))
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    lineage_path = lineage_file(folder, stem)
    cell_keys = ["table", "row", "column"]
    totals, shown_rows = listed_complaints(lineage_path, limit)
    facts = listed_facts(folder / "facts" / f"{stem}{COMPLAINTS_SUFFIX}.parquet", shown_rows["complaint_id"])
    listed = shown_rows.merge(facts, on=["firm_frn", "complaint_id"], how="left", sort=False)
    listed["html"] = complaint_rows_html(listed)
    groups = {cell: rows for cell, rows in listed.groupby(cell_keys, sort=False)}
    layout = document_layout(document)
    firm = document["reporting_firm"]
    title = (
        f"{return_name(document)} — complaints behind each cell — {firm_name(run, firm)} ({firm}), "
        f"{document['period']['start']} to {document['period']['end']}"
    )
    lineage_name = f"lineage/{lineage_path.name}"
    head = "".join(f'<th scope="col">{html_escape(label)}</th>' for label in DRILLDOWN_COLUMNS.values())
    sections = []
    for cell in counted_cells(document).itertuples(index=False):
        rows = groups.get((cell.table, cell.row, cell.column), listed.iloc[0:0])
        heading = f"{layout.tables[cell.table].title} — {cell.row_label} — {cell.column_label}: {cell_text(cell.value)}"
        total = totals.get((cell.table, cell.row, cell.column), 0)
        if total == 0:
            listing = "<p>No complaint is behind this cell.</p>"
        else:
            shown = "\n".join(rows["html"].head(limit))
            more = (
                f"<p>The first {limit:,} of {total:,} complaints are listed; all {total:,} are in "
                f'<a href="../{lineage_name}">{lineage_name}</a> (table {html_escape(cell.table)}, column '
                f"{html_escape(cell.column)}).</p>"
                if total > limit
                else ""
            )
            listing = (
                f"<p>{total:,} complaint(s).</p>{more}<table><caption>Complaints behind: {html_escape(heading)}"
                f"</caption><thead><tr>{head}</tr></thead><tbody>\n{shown}"
                "\n</tbody></table>"
            )
        sections.append(
            f'<section id="{cell.anchor}" aria-labelledby="{cell.anchor}-h"><h2 id="{cell.anchor}-h">'
            f"{html_escape(heading)}</h2>{listing}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html_escape(title)} — reportkit</title>\n<style>{DRILLDOWN_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html_escape(title)}</h1>\n"
        f'<p>Back to <a href="{stem}.html">the return page</a>. Every complaint a counted cell of the return adds up '
        f"is listed under that cell, from the run's lineage ({lineage_name}). Adviser identifiers and other personal "
        "data are not shown. Business days are counted from the day after receipt on the bank holidays of the "
        "firm's nation (DISP 1.5.1R, DISP 1.6.2AR); redress follows the run's redress basis, and lines that are not "
        "redress are shown as left out with the rule (DISP 1.10.3G(4), DISP 1.10B.8G(4)).</p>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def write_drilldown_page(run_dir: str | Path, stem: str) -> Path | None:
    """html/<stem>-cells.html of the run folder when the run wrote drill-down data for the return, else None."""
    folder = Path(run_dir)
    if not has_drilldown(folder, stem):
        return None
    page = folder / "html" / drilldown_page_name(stem)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(drilldown_html(folder, stem), encoding="utf-8")
    return page
