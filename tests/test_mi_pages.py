"""The MI page reads only its MI folder, through reportkit.mi_views; the bundled sample MI is current."""

from __future__ import annotations

import ast
import json

import nbformat

from reportkit import mi_views
from reportkit.demo import SAMPLE_MI_PARTS, write_sample_mi
from reportkit.paths import NOTEBOOKS_DIR, SAMPLE_MI_DIR, sample_inputs


def test_the_mi_notebook_imports_only_its_rendering_module_and_takes_only_the_folder() -> None:
    notebook = nbformat.read(NOTEBOOKS_DIR / "mi.ipynb", as_version=4)
    imported: set[str] = set()
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module)
                if node.module == "reportkit":
                    assert [alias.name for alias in node.names] == ["mi_views"]
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert imported <= {"IPython.display", "reportkit"}
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    names = {t.id for n in ast.walk(ast.parse(parameters.source)) if isinstance(n, ast.Assign) for t in n.targets}
    assert names == {"run_dir"}


def test_the_bundled_sample_mi_is_what_an_mi_run_of_the_sample_writes(tmp_path) -> None:
    fresh = write_sample_mi(sample_inputs(), tmp_path / "mi")
    bundled = sorted(p.relative_to(SAMPLE_MI_DIR) for p in SAMPLE_MI_DIR.rglob("*") if p.is_file())
    assert bundled == sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    for relative in bundled:
        if relative.name == "mi.json":  # the run id and commit change with every commit of reportkit
            keep = {
                k: v for k, v in json.loads((fresh / relative).read_text()).items() if k not in ("run_id", "commit")
            }
            old = json.loads((SAMPLE_MI_DIR / relative).read_text())
            assert keep == {k: v for k, v in old.items() if k not in ("run_id", "commit")}, (
                "regenerate: python scripts/generate_sample.py"
            )
        else:
            assert (fresh / relative).read_bytes() == (SAMPLE_MI_DIR / relative).read_bytes(), relative
    assert SAMPLE_MI_PARTS[0] == "mi.json"


def test_the_page_of_the_sample_mi_shows_labels_percentages_and_pounds() -> None:
    heading = mi_views.heading(None)
    assert heading.startswith("# Complaints MI: Sample Banking Group")
    assert "MI settings of 100001: service levels default 4 weeks" in heading
    shown = mi_views.shown(mi_views.load_table(None, "outcomes_by_product"))
    assert shown["upheld rate %"].str.endswith("%").all()
    assert shown["average redress"].iloc[0].startswith("£")
    assert "Current accounts" in set(shown["product"])
    preview = mi_views.shown(mi_views.load_table(None, "preview_2027"), mi_views.read_mi(None)["preview"]["measures"])
    assert "Complaints opened (received in the half-year)" in preview.columns
    assert "not the final form" in mi_views.preview_banner(None)


def test_the_sample_shows_the_patterns_the_mi_is_for() -> None:
    """The sample's handlers, flags and referrals give every MI section something to show."""
    handlers = mi_views.load_table(None, "outcomes_by_handler")
    assert (handlers["upheld_rate_outlier"] == "high").any()  # the lenient handler of each firm
    readiness = mi_views.load_table(None, "readiness_2027").set_index(["firm_frn", "field"])
    assert readiness.loc[("100002", "vulnerable_customer"), "missing_pct"] > 5  # flags blank at the card firm
    assert readiness.loc[("100001", "vulnerable_customer"), "missing_pct"] == 0
    fos = mi_views.load_table(None, "fos_referrals").set_index("group")
    assert fos.loc["all", "referred"] > 0 and fos.loc["all", "overturn_rate_pct"] is not None
    assert len(mi_views.load_table(None, "authority_breaches")) > 0
    assert len(mi_views.load_table(None, "service_level_breaches")) > 0


def test_the_volumes_chart_says_every_figure_in_its_alt_text() -> None:
    chart = mi_views.volumes_chart(None).data
    months = mi_views.load_table(None, "volumes_by_month")
    assert chart.startswith('<img src="data:image/png;base64,')
    first = months.iloc[-1]
    assert f"{first['month']}: {first['received']:,} (a year before {int(first['received_year_before']):,})" in chart
    # The sample begins in July 2024: its January 2025 has no year before in the extract, and says so.
    january = months.set_index("month").loc["2025-01"]
    assert f"2025-01: {int(january['received']):,} (a year before not in the extract)" in chart
    assert mi_views.volumes_chart(None).data == chart  # the same bytes again
