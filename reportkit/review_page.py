"""The review page of a run (html/index.html): the first page an auditor opens.

What was produced and skipped and why, due dates and publication deadlines, how the extract's rows became
the complaints each return counts, every tie-out with its two figures and PASS/FAIL, the validation findings
by rule, and links to every page, return and file. It is the one page (with manifest.json) that names who ran
the run and when, and it gives the manifest's sha256, so any page or sheet (which carry the run id) leads
here. Self-contained: no script, no request to another host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit import calendar

INDEX = Path("html") / "index.html"


def _rows(cells: list[list[str]]) -> str:
    return "\n".join("<tr>" + "".join(cells_row) + "</tr>" for cells_row in cells)


def _table(caption: str, headings: list[str], body: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headings)
    if not body:
        return f"<p><strong>{html.escape(caption)}:</strong> none.</p>"
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{_rows(body)}</tbody></table>"
    )


def _th(text: str) -> str:
    return f'<th scope="row">{text}</th>'


def _td(text: Any) -> str:
    value = "" if text is None else (f"{text:,}" if isinstance(text, int) and not isinstance(text, bool) else text)
    return f"<td>{html.escape(str(value))}</td>"


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _returns_section(folder: Path, manifest: dict[str, Any], notes: dict[str, Any]) -> str:
    body = []
    for stem in manifest["returns"]:
        document = json.loads((folder / "returns" / f"{stem}.json").read_text(encoding="utf-8"))
        end = dt.date.fromisoformat(document["period"]["end"])
        page = f"{stem}.html" if (folder / "html" / f"{stem}.html").is_file() else None
        publish = document.get("header", {}).get("publication_deadline")
        links = [_link(f"../returns/{stem}.json", "JSON")]
        links += [_link(page, "page")] if page else []
        lineage = lineage_file(folder, stem)
        links += [_link(f"../lineage/{lineage.name}", "lineage")] if lineage is not None else []
        if (folder / "returns" / f"{stem}.html").is_file():  # a summary's public page (its registry's outputs)
            links.append(_link(f"../returns/{stem}.html", "page to publish"))
        body.append(
            [
                _th(html.escape(stem)),
                _td(_period_text(document, notes.get(stem, {}).get("note"))),
                _td("yes" if document["nil_return"] else "no"),
                _td(calendar.due_date(end).isoformat()),
                _td(publish or ""),
                f"<td>{' · '.join(links)}</td>",
            ]
        )
    produced = _table(
        "Returns produced",
        ["Return", "Period", "Nil return", "Due (DISP 1.10.5R)", "Publish by (DISP 1.10A.3R)", "Files"],
        body,
    )
    skipped = _table(
        "Returns skipped, and why",
        ["Return", "Reason"],
        [[_th(html.escape(s["return"])), _td(s["reason"])] for s in manifest["skipped"]],
    )
    return produced + skipped


def _period_text(document: dict[str, Any], note: str | None) -> str:
    """A return's period, and why it was shortened when it was (the 2027 boundary)."""
    period = f"{document['period']['start']} to {document['period']['end']}"
    return f"{period} ({note})" if note else period


def _reconciliation_section(run: dict[str, Any]) -> str:
    parts = []
    for stem, steps in run.get("reconciliation", {}).items():
        body = [[_th(html.escape(s["step"])), _td(s["complaints"])] for s in steps]
        parts.append(_table(f"{stem}: from the extract's rows to the complaints counted", ["Step", "Complaints"], body))
    return "".join(parts) or "<p>No return with complaints to reconcile.</p>"


def _tieout_section(run: dict[str, Any]) -> str:
    body = []
    for t in run.get("tie_outs", []):
        verdict = "PASS" if t["passed"] else ("FAIL" if t["must_hold"] else "differs (shown only)")
        body.append(
            [
                _th(html.escape(t["stem"])),
                _td(t["check"]),
                _td(str(t["left"])),
                _td(str(t["right"])),
                _td(verdict),
                _td(t["why_they_may_differ"]),
            ]
        )
    return _table("Tie-outs", ["Return", "Check", "Figure", "Against", "Result", "Why they may differ"], body)


def _findings_section(folder: Path) -> str:
    frames = [
        pd.read_csv(folder / "validation" / f"{kind}.csv", dtype=str, keep_default_na=False)
        for kind in ("errors", "warnings")
    ]
    findings = pd.concat(frames, ignore_index=True)
    counts = findings.groupby(["severity", "rule"]).size().reset_index(name="n") if len(findings) else findings
    body = [[_th(html.escape(r.rule)), _td(r.severity), _td(int(r.n))] for r in counts.itertuples()]
    links = (
        f"<p>{_link('validation.html', 'Validation page')} · {_link('../validation/errors.csv', 'errors.csv')} · "
        f"{_link('../validation/warnings.csv', 'warnings.csv')}</p>"
    )
    return _table("Validation findings by rule", ["Rule", "Severity", "Rows"], body) + links


def _mapping_section(run: dict[str, Any]) -> str:
    """The mapping file the export was read with, in full (how the case system's columns, labels, dates and flags
    became the extract's), or nothing for a run without one."""
    mapping = run.get("mapping")
    if not mapping:
        return ""
    esc = html.escape
    return (
        f"<h2>Mapping of the export</h2>\n<p>Read with <code>{esc(mapping['name'])}</code> (sha256 "
        f"<code>{esc(mapping['sha256'])}</code>); each value as exported beside the code it became: "
        f"{_link('../validation/mapping.csv', 'mapping.csv')}.</p>\n<pre>{esc(mapping['text'])}</pre>"
    )


def render_index(folder: Path, manifest: dict[str, Any]) -> str:
    """The review page of the run folder `folder`, from its run.json, returns, validation files and manifest."""
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    esc = html.escape
    manifest_sha = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    inputs = [
        [_th(esc(i["role"])), _td(i["name"]), _td(i["rows"]), f"<td><code>{esc(i['sha256'])}</code></td>"]
        for i in run["inputs"]
    ]
    firms = [[_th(esc(f["frn"])), _td(f["name"]), _td(f["calendar"])] for f in run["firms"]]
    ran_by = manifest.get("ran_by", {})
    commit = f" (commit {esc(run['commit'])})" if run.get("commit") else ""
    title = f"Review of run {run['run_id']}: {run['entity_name']} ({run['entity']}), period ending {run['period_end']}"
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} — reportkit</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 80rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }}
caption {{ text-align: left; font-weight: bold; font-size: 1.1rem; padding-bottom: .5rem; }}
th, td {{ border: 1px solid #505a5f; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
thead th, th[scope="row"] {{ background: #f3f2f1; }}
a {{ color: #1d4f91; }}
</style>
</head>
<body>
<main>
<h1>{esc(title)}</h1>
<dl>
<dt>Run id</dt><dd><code>{esc(run["run_id"])}</code> (on every page and sheet of this run)</dd>
<dt>reportkit</dt><dd>{esc(run["reportkit"])}{commit}</dd>
<dt>Ran by</dt><dd>{esc(str(ran_by.get("user", "")))} on {esc(str(ran_by.get("host", "")))}, {esc(manifest["started_at"])} to {esc(manifest["finished_at"])}</dd>
<dt>manifest.json sha256</dt><dd><code>{manifest_sha}</code> ({_link("../manifest.json", "manifest.json")})</dd>
<dt>Regime</dt><dd>{esc(", ".join(run["regimes"]))}</dd>
<dt>Redress basis</dt><dd>{esc(run["redress_basis"])}</dd>
</dl>
<h2>Inputs</h2>
{_table("Input files as read", ["Role", "File", "Rows", "sha256"], inputs)}
{_mapping_section(run)}
<h2>Firms and bank-holiday calendars</h2>
{_table("Firms covered", ["FRN", "Name", "Bank holidays (time bands)"], firms)}
<p>Due dates count business days on the England and Wales calendar (returns are submitted to the FCA in England).</p>
<h2>Returns</h2>
{_returns_section(folder, manifest, run.get("returns", {}))}
<h2>Reconciliation</h2>
{_reconciliation_section(run)}
<h2>Tie-outs</h2>
{_tieout_section(run)}
<h2>Validation</h2>
{_findings_section(folder)}
</main>
</body>
</html>
"""


def lineage_file(folder: Path, stem: str) -> Path | None:
    """The run's lineage of a return: lineage/<stem>.parquet, or the CSV when only that exists, or None."""
    for suffix in (".parquet", ".csv"):
        path = folder / "lineage" / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def write_index(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write html/index.html of a finished run (after manifest.json, whose sha256 it gives)."""
    path = folder / INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_index(folder, manifest), encoding="utf-8")
    return path
