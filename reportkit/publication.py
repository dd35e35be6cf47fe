"""The Annex 1B complaints data summary as a firm publishes it: a standalone, accessible HTML page and a CSV.

Both are views of the annex1b JSON, laid out by the layout that produced it (by product group, or by type of
claim for a claims-management-only firm). They carry the firm's name, trading names, period and the firms
covered; the summary holds no complaint or adviser data by construction (totals per row only).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.layouts import document_layout
from reportkit.safecsv import write_safe_csv

PERCENT_COLUMNS = {"pct_closed_within_3_days", "pct_closed_3_days_to_8_weeks", "pct_upheld"}


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "–"
    if column in PERCENT_COLUMNS:
        return f"{value:.2f}%"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def summary_frame(document: dict[str, Any]) -> pd.DataFrame:
    """The summary table with labels, as published (also the CSV): first column the row code, named after the
    rows' dimension (product_group, or cmc_claim_type), then its label, then the layout's columns."""
    spec = document_layout(document).tables["1B"]
    key = spec.row_dimension
    rows = [
        {key: code, f"{key}_label": spec.row_label(code), **cells} for code, cells in document["tables"]["1B"].items()
    ]
    for code, cells in document["tables"].get("credit", {}).items():
        rows.append({key: code, f"{key}_label": "Credit-related complaints", **cells})
    return pd.DataFrame(rows, dtype=object)  # object: a count stays 384, not 384.0, beside blank rows


def write_csv(document: dict[str, Any], path: Path) -> Path:
    write_safe_csv(summary_frame(document), path)
    return path


def render_page(document: dict[str, Any], period_note: str | None = None) -> str:
    """A self-contained HTML page (no scripts, no external files) with captioned tables and header cells."""
    layout = document_layout(document)
    spec = layout.tables["1B"]
    page = layout.raw["page"]
    header = document["header"]
    esc = html.escape
    firms = ", ".join(f"{esc(f['name'])} (FRN {esc(f['frn'])})" for f in header["firms_covered"])
    columns = [c for c in spec.columns if c.code != "main_cause"]  # its label column says it in words
    head = "".join(f'<th scope="col">{esc(c.label)}</th>' for c in columns)
    body = []
    for code, cells in document["tables"]["1B"].items():
        label = spec.row_label(code)
        tds = "".join(f"<td>{_cell(cells[c.code], c.code)}</td>" for c in columns)
        body.append(f'<tr><th scope="row">{esc(label)}</th>{tds}</tr>')
    credit = ""
    if "credit" in document["tables"]:
        cells = document["tables"]["credit"]["credit_related"]
        credit_columns = layout.tables["credit"].columns
        credit = (
            f'<table><caption>{esc(layout.tables["credit"].title)}</caption><thead><tr><th scope="col">Activity</th>'
            + "".join(f'<th scope="col">{esc(c.label)}</th>' for c in credit_columns)
            + '</tr></thead><tbody><tr><th scope="row">Credit-related activities</th>'
            + "".join(f"<td>{_cell(cells[c.code], c.code)}</td>" for c in credit_columns)
            + "</tr></tbody></table>"
        )
    trading = ", ".join(esc(t) for t in header["trading_names"]) or "none"
    note = f"\n<p>{esc(' '.join(layout.raw['layout_note'].split()))}</p>" if layout.raw.get("layout_note") else ""
    shortened = f"\n<dt>Period note</dt><dd>{esc(period_note)}</dd>" if period_note else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Complaints data summary: {esc(header["firm_name"])}, {esc(header["period_start"])} to {esc(header["period_end"])}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; margin: 1.5rem 0; }}
caption {{ text-align: left; font-weight: bold; font-size: 1.2rem; padding-bottom: .5rem; }}
th, td {{ border: 1px solid #505a5f; padding: .4rem .6rem; text-align: right; vertical-align: top; }}
th[scope="row"], thead th {{ text-align: left; background: #f3f2f1; }}
</style>
</head>
<body>
<main>
<h1>Complaints data summary</h1>
<dl>
<dt>Firm</dt><dd>{esc(header["firm_name"])}</dd>
<dt>Trading names covered</dt><dd>{trading}</dd>
<dt>Firms covered</dt><dd>{firms}</dd>
<dt>Reporting period</dt><dd>{esc(header["period_start"])} to {esc(header["period_end"])}</dd>{shortened}
</dl>{note}
<table>
<caption>{esc(spec.title)}</caption>
<thead><tr><th scope="col">{esc(page["row_heading"])}</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
{credit}
<p>{esc(" ".join(page["blank_note"].split()))}</p>
</main>
</body>
</html>
"""


def write_page(document: dict[str, Any], path: Path, period_note: str | None = None) -> Path:
    path.write_text(render_page(document, period_note), encoding="utf-8")
    return path
