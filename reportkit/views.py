"""What the notebooks show: return tables as labelled frames, figures for charts, masked findings.

Notebooks call these and display the result; no reported figure is computed in a notebook cell.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit import api, schedule
from reportkit.calendar import Period
from reportkit.layouts import document_layout
from reportkit.measures import closed_in, redress_basis_statement
from reportkit.paths import sample_inputs
from reportkit.taxonomy import load_taxonomy
from reportkit.validation.report import FINDING_COLUMNS


@dataclass
class ReturnView:
    """A built return and the classified complaints behind it, for one notebook."""

    document: dict[str, Any]
    complaints: pd.DataFrame
    period: Period
    note: str | None = None
    """Why the period is shorter than its ARD-based length (the 2027 boundary), else None."""
    redress_attribution: str = "closed_in_period"
    """The configured redress basis the return was built on (config key redress_attribution)."""


def load_return(
    return_stem: str,
    config: str | None,
    entity: str,
    period_end: str,
    complaints: str | None,
    redress: str | None,
    context: str | None,
    output_dir: str | None,
) -> ReturnView:
    """The return as the run wrote it (output_dir/returns/<stem>.json) or, opened on its own, as built now.

    `return_stem` is the return's file name in returns/: its code (annex1), or e.g. annex1c--234567 for one
    member in a group run. The complaints are re-read and classified for the charts (validation already ran
    in `reportkit run`; a notebook opened by hand validates again).
    """
    paths = notebook_inputs(config, complaints, redress, context)
    written = Path(output_dir) / "returns" / f"{return_stem}.json" if output_dir else None
    validated_by_run = bool(output_dir) and (Path(output_dir) / "validation").is_dir()
    prepared = api.prepare(paths, check=not validated_by_run)
    if written and written.is_file():
        document = json.loads(written.read_text(encoding="utf-8"))
    else:
        results = api.build_returns(prepared, entity, api.parse_date(period_end, "period_end"))
        matches = [r.document for r in results if r.stem == return_stem]
        if not matches:
            raise ValueError(
                f"{entity} owes no {return_stem} for the period ending {period_end}; "
                f"built: {', '.join(r.stem for r in results)}"
            )
        document = matches[0]
    period = Period(
        dt.date.fromisoformat(document["period"]["start"]), dt.date.fromisoformat(document["period"]["end"])
    )
    frns = document["firms"]
    note = schedule.document_note(prepared.config, document)
    return ReturnView(
        document,
        prepared.complaints[prepared.complaints["firm_frn"].isin(frns)],
        period,
        note,
        prepared.config.redress_attribution,
    )


def redress_basis_line(view: ReturnView) -> str:
    """The redress basis the return used and the configuration key that changes it (docs/rules.md "Redress")."""
    return f"*{redress_basis_statement(view.redress_attribution)}.*"


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


ADVISER_KEY_FORMS = {"NI": "NI number and date of birth", "PP": "passport, nationality and date of birth"}


def adviser_pseudonyms(keys: list[str]) -> list[str]:
    """Stand-ins for adviser keys in HTML: "Adviser 3 (keyed by IRN)", no character of the identifier kept."""
    forms = [ADVISER_KEY_FORMS.get(str(key).split(":")[0], "IRN") for key in keys]
    return [f"Adviser {i} (keyed by {form})" for i, form in enumerate(forms, start=1)]


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
    """Calendar days from receipt to closure of each complaint the return counts that closed in the period."""
    frame = view.complaints
    frame = frame[frame["in_scope_annex1"] & (frame["product"].notna() | frame["credit_activity"].notna())]
    closed = frame[closed_in(frame["closed_date"], view.period)]
    return (closed["closed_date"] - closed["received_date"]).dt.days.rename("days to close")


def read_findings(output_dir: str | None, kind: str) -> pd.DataFrame:
    """errors or warnings as written by the run (already masked), or an empty frame."""
    path = Path(output_dir) / "validation" / f"{kind}.csv" if output_dir else None
    if path and path.is_file():
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(columns=FINDING_COLUMNS)


def findings_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """How many findings each rule produced."""
    if findings.empty:
        return pd.DataFrame(columns=["severity", "rule", "count"])
    return findings.groupby(["severity", "rule"]).size().rename("count").reset_index()


def notebook_inputs(
    config: str | None, complaints: str | None, redress: str | None, context: str | None
) -> api.InputPaths:
    """The input files a notebook reads: the ones the run injected or, with no configuration given (a notebook
    opened by hand anywhere), the sample bundled in the installed package."""
    if config is None:
        sample = sample_inputs()
        return api.InputPaths.of(sample["config"], sample["complaints"], sample["redress"], sample["context"])
    if complaints is None:
        raise ValueError("a notebook given a configuration needs its complaints file too (parameter complaints)")
    return api.InputPaths.of(config, complaints, redress, context)


def validate_for_notebook(
    config: str | None, complaints: str | None, redress: str | None, context: str | None
) -> pd.DataFrame:
    """Validate the inputs now (a notebook opened by hand) and return every finding, masked."""
    return api.validate(notebook_inputs(config, complaints, redress, context)).findings


def run_findings(
    output_dir: str | None, config: str | None, complaints: str | None, redress: str | None, context: str | None
) -> pd.DataFrame:
    """The run's findings (validation/*.csv) or, opened by hand, a fresh validation of the inputs."""
    if output_dir and (Path(output_dir) / "validation").is_dir():
        return pd.concat(
            [read_findings(output_dir, "errors"), read_findings(output_dir, "warnings")], ignore_index=True
        )
    return validate_for_notebook(config, complaints, redress, context)


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


def chart(series: pd.Series, kind: str, title: str, xlabel: str = "", marker: float | None = None):
    """Draw a bar or histogram of figures computed above; an empty series gets a note instead of a chart."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    if series.empty or (kind != "hist" and not series.any()):
        display(Markdown(f"*{title}: nothing to chart for this period.*"))
        return None
    ax = series.plot.hist(bins=40, title=title) if kind == "hist" else series.plot.barh(title=title)
    ax.set_xlabel(xlabel)
    if marker is not None:
        ax.axvline(marker, color="red")
    plt.show()
    return ax


def return_title(document: dict[str, Any]) -> str:
    return document_layout(document).title
