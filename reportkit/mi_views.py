"""What the MI notebook shows: the rendering module of the MI pack, which reads only an MI folder.

`notebooks/mi.ipynb` takes one parameter, `run_dir` (the MI folder; the sample group's MI bundled in the package
when None), and calls these functions to show the tables `reportkit mi` wrote there (mi.json, tables/*.json).
Nothing here reads the raw inputs or computes a figure (an import-linter contract keeps it away from the pipeline
and the MI tables): it formats what the folder holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.paths import SAMPLE_MI_DIR
from reportkit.taxonomy import load_taxonomy

PREVIEW_SECTION = "preview_2027"
LIST_LIMIT = 100
"""Rows of a list of complaints shown on the page; the full list is in the workbook and tables/<name>.json."""


def mi_folder(run_dir: str | None) -> Path:
    """The MI folder a notebook shows: the one given, or the sample group's MI bundled in the package."""
    return Path(run_dir) if run_dir is not None else SAMPLE_MI_DIR


def read_mi(run_dir: str | None) -> dict[str, Any]:
    """mi.json of the MI folder."""
    return json.loads((mi_folder(run_dir) / "mi.json").read_text(encoding="utf-8"))


def load_table(run_dir: str | None, name: str) -> pd.DataFrame:
    """tables/<name>.json as a frame (its columns and rows as written)."""
    document = json.loads((mi_folder(run_dir) / "tables" / f"{name}.json").read_text(encoding="utf-8"))
    return pd.DataFrame(document["rows"], columns=document["columns"])


def heading(run_dir: str | None) -> str:
    """The page's title and the facts that identify the run (the run id leads to its manifest)."""
    mi = read_mi(run_dir)
    inputs = ", ".join(f"{i['role']} {i['name']} ({i['rows']:,} rows)" if i["rows"] is not None else
                       f"{i['role']} {i['name']}" for i in mi["inputs"])  # fmt: skip
    import html

    firms = ", ".join(f"{html.escape(f['name'])} ({f['frn']})" for f in mi["firms"])  # names: shown, never markup
    kind = "Complaints MI" if mi["command"] == "mi" else "2027 per-entity view"
    return (
        f"# {kind}: {html.escape(mi['entity_name'])}\n\n"
        f"**{mi['from']} to {mi['to']}** · run id `{mi['run_id']}` · reportkit {mi['reportkit']}\n\n"
        f"Firms: {firms}. Inputs: {inputs}. Compared with the same span a year before "
        f"({mi['year_before'][0]} to {mi['year_before'][1]}) and the previous period of the same length "
        f"({mi['previous_period'][0]} to {mi['previous_period'][1]}).\n\n"
        + "\n".join(f"- {line}" for line in mi["settings"])
        + (f"\n- {mi['history'][0].upper()}{mi['history'][1:]}." if mi.get("history") else "")
    )


def sections(run_dir: str | None, section: str) -> list[dict[str, Any]]:
    """The tables of one section (mi or preview_2027) that the folder holds, in the order written."""
    return [t for t in read_mi(run_dir)["tables"] if t["section"] == section]


def preview_banner(run_dir: str | None) -> str:
    """The 2027 section's heading with its preview label, which every page and sheet of it carries."""
    preview = read_mi(run_dir)["preview"]
    return f"## {preview['title']}\n\n**{preview['label']}.** {preview['explanation']}"


def _labels() -> dict[str, str]:
    taxonomy = load_taxonomy()
    labels: dict[str, str] = {}
    for name in ("part_a_product_groups", "part_a_products", "part_a_causes", "part_b_credit_activities",
                 "cmc_claim_types", "cmc_focus", "fos_outcomes"):  # fmt: skip
        labels.update(taxonomy.labels[name])
    labels.update({"credit_related": "Credit-related activities (Part B)", "claims_management": "Claims management",
                   "no_cause_recorded": "(no cause: Part B)", "all": "All"})  # fmt: skip
    return labels


CODE_COLUMNS = ("group", "product", "cause")
"""Columns of codes shown with their labels."""


def shown(frame: pd.DataFrame, measures: dict[str, str] | None = None) -> pd.DataFrame:
    """A table as it reads on the page: codes as labels, percentages with %, pounds with £ and pence, whole
    numbers with separators, blanks empty; column names in words."""
    labels = _labels()
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column in CODE_COLUMNS:
            out[column] = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else "")
        elif column.endswith("_pct"):
            out[column] = values.map(lambda v: "" if v is None or pd.isna(v) else f"{v:.2f}%")
        elif column.endswith("_gbp"):
            out[column] = values.map(lambda v: "" if v is None or pd.isna(v) else f"£{v:,.2f}")
        else:
            out[column] = values.map(_cell)
    names = measures or {}
    out.columns = [names.get(c, c.replace("_gbp", "").replace("_pct", " %").replace("_", " ")) for c in frame.columns]
    return out


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table_html(run_dir: str | None, name: str, limit: int = LIST_LIMIT):
    """One table of the folder as an HTML table (the first `limit` rows; a line says how many more there are)."""
    from IPython.display import HTML

    frame = load_table(run_dir, name)
    if frame.empty:
        return HTML("<p><em>Nothing to show: no complaint in the range meets this table's condition, or the "
                    "settings or columns it needs are not given.</em></p>")  # fmt: skip
    measures = read_mi(run_dir)["preview"]["measures"] if name == PREVIEW_SECTION else None
    more = len(frame) - limit
    body = shown(frame.head(limit), measures).to_html(index=False, border=0, escape=True, na_rep="")
    tail = f"<p><em>{more:,} more row(s) in the workbook and tables/{name}.json.</em></p>" if more > 0 else ""
    return HTML(body + tail)


def table_heading(table: dict[str, Any]) -> str:
    """A table's heading: level 2 in the MI section, level 3 under the 2027 section's own level-2 heading."""
    level = "###" if table["section"] == PREVIEW_SECTION else "##"
    return f"{level} {table['title']}\n\n{table['about']} ({table['rows']:,} row(s))"


CHART_SIZE = (7.5, 3.6)
"""Inches at 100 dpi: 750 pixels wide."""


def volumes_chart(run_dir: str | None):
    """Complaints received each month against the same month a year before, from tables/volumes_by_month.json,
    as a PNG whose alt text gives every figure; its bytes depend only on the figures (a re-run is identical)."""
    import base64
    import html
    import io

    import matplotlib
    from IPython.display import HTML

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not (mi_folder(run_dir) / "tables" / "volumes_by_month.json").is_file():  # the 2027 view on its own
        return HTML("")
    table = load_table(run_dir, "volumes_by_month")
    figure, ax = plt.subplots(figsize=CHART_SIZE, dpi=100, layout="constrained")
    ax.plot(table["month"], table["received"], marker="o", color="#1f5f99", label="received")
    ax.plot(table["month"], table["received_year_before"], marker="o", linestyle="--", color="#8a8a8a",
            label="same month a year before")  # fmt: skip
    ax.set_ylabel("complaints")
    ax.set_title("Complaints received by month")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    months = "; ".join(
        f"{m}: {r:,} (a year before {'not in the extract' if pd.isna(b) else f'{int(b):,}'})"
        for m, r, b in zip(table["month"], table["received"], table["received_year_before"], strict=True)
    )
    alt = html.escape(f"Line chart of complaints received by month against the same month a year before. {months}.")
    return HTML(f'<img src="data:image/png;base64,{image}" alt="{alt}" width="750" height="360">')
