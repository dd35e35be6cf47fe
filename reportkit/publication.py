"""The Annex 1B complaints data summary as a firm publishes it: a standalone, accessible HTML page and a CSV.

Both are views of the annex1b JSON. They carry the firm's name, trading names, period and the firms
covered; the summary holds no complaint or adviser data by construction (product-group totals only).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.layouts import load_layout
from reportkit.taxonomy import load_taxonomy

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
    """The product-group table with labels, as published (also the CSV)."""
    taxonomy = load_taxonomy()
    rows = []
    for group, cells in document["tables"]["1B"].items():
        rows.append(
            {"product_group": group, "product_group_label": taxonomy.label("part_a_product_groups", group), **cells}
        )
    for code, cells in document["tables"].get("credit", {}).items():
        rows.append({"product_group": code, "product_group_label": "Credit-related complaints", **cells})
    return pd.DataFrame(rows)


def write_csv(document: dict[str, Any], path: Path) -> Path:
    summary_frame(document).to_csv(path, index=False)
    return path


def render_page(document: dict[str, Any]) -> str:
    """A self-contained HTML page (no scripts, no external files) with captioned tables and header cells."""
    layout = load_layout("annex1b")
    header = document["header"]
    esc = html.escape
    firms = ", ".join(f"{esc(f['name'])} (FRN {esc(f['frn'])})" for f in header["firms_covered"])
    columns = [c for c in layout.tables["1B"].columns if c.code != "main_cause"]
    head = "".join(f'<th scope="col">{esc(c.label)}</th>' for c in columns)
    body = []
    for group, cells in document["tables"]["1B"].items():
        label = load_taxonomy().label("part_a_product_groups", group)
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
<dt>Reporting period</dt><dd>{esc(header["period_start"])} to {esc(header["period_end"])}</dd>
</dl>
<table>
<caption>{esc(layout.tables["1B"].title)}</caption>
<thead><tr><th scope="col">Product group</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
{credit}
<p>A dash (–) means the firm does not do business in that product group, or the figure cannot be calculated.
Percentages are of complaints closed in the period.</p>
</main>
</body>
</html>
"""


def write_page(document: dict[str, Any], path: Path) -> Path:
    path.write_text(render_page(document), encoding="utf-8")
    return path
