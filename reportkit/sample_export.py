"""A sample case-system export: the bundled sample extract as a firm's complaint system would export it, and the
mapping that reads it back (`reportkit demo` writes and runs both; the tests prove it gives the same returns).

The export has its own headers (`Complaint Ref`, `Date Received`), its own labels (`Home Insurance`, `Rejected`),
`Y`/`N` flags, `dd/mm/yyyy` dates, a column reportkit does not need (`Branch Office`), and the redress lines name
the complaint `Case Ref`: every kind of difference a mapping declares.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from reportkit.mapping import bool_columns, coded_columns, date_columns
from reportkit.schema import load_schema

EXPORT_DATE_FORMAT = "%d/%m/%Y"

HEADERS: dict[str, dict[str, str]] = {
    "complaints": {
        "complaint_id": "Complaint Ref",
        "firm_frn": "FRN",
        "received_date": "Date Received",
        "closed_date": "Date Closed",
        "outcome": "Final Outcome",
        "goodwill_payment": "Goodwill Paid",
        "product": "Product Type",
        "cause": "Root Cause",
        "credit_activity": "Credit Activity",
        "cmc_claim_type": "Claim Type",
        "cmc_focus": "Claim Focus",
        "payment_service": "Payment Service",
        "payment_cause": "Payment Cause",
        "app_fraud_role": "APP Fraud Role",
        "eligible_complainant": "Eligible Complainant",
        "forwarded": "Forwarded To Other Firm",
        "adviser_irn": "Adviser IRN",
        "adviser_ni_number": "Adviser NI Number",
        "adviser_date_of_birth": "Adviser Date Of Birth",
        "adviser_passport_number": "Adviser Passport Number",
        "adviser_nationality": "Adviser Nationality",
        "vulnerable_customer": "Vulnerable Customer Flag",
        "vulnerability_related": "Related To Vulnerability",
        "redress_amount": "Redress Paid",
        "handler": "Case Handler",
        "fos_referred_date": "FOS Referral Date",
        "fos_outcome": "FOS Outcome",
    },
    "redress": {
        "complaint_id": "Case Ref",
        "firm_frn": "FRN",
        "paid_date": "Paid On",
        "redress_type": "Payment Type",
        "amount": "Amount GBP",
    },
}
"""reportkit column -> the sample case system's header."""

IGNORED_COLUMN = "Branch Office"
"""A column the case system exports that no return needs: the mapping ignores it (`Branch Office: null`)."""

OWN_LABELS: dict[str, dict[str, str]] = {
    "outcome": {
        "upheld": "Upheld",
        "partially_upheld": "Partially upheld",
        "not_upheld": "Rejected",
        "no_decision": "No decision",
    },
    "forwarded": {"none": "Not forwarded", "entire": "Forwarded in full", "partial": "Forwarded in part"},
    "product": {"current_accounts": "Current Account", "property": "Home Insurance", "credit_cards": "Credit Card"},
}
"""The firm's own labels where they differ from the FCA's (every other code is exported as its FCA label)."""

FLAGS = {"true": "Y", "false": "N"}


def export_labels(file: str) -> dict[str, dict[str, str]]:
    """Per coded column, code -> the label the sample case system exports for it."""
    labels = {}
    for name, column in coded_columns(file).items():
        own = OWN_LABELS.get(name, {})
        labels[name] = {code: own.get(code, column.labels.get(code, code)) for code in column.codes}
    return labels


def to_export(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """A canonical extract (text, as read from CSV) in the sample case system's form: headers, labels, Y/N
    flags and dd/mm/yyyy dates, per distinct value."""
    schema = load_schema(file)
    labels = export_labels(file)
    out = {}
    for name in [c for c in schema.columns if c in frame.columns]:
        values = frame[name].astype("category")
        if name in labels:
            values = values.cat.rename_categories(lambda c, n=name: labels[n].get(c, c))
        elif name in bool_columns(file):
            values = values.cat.rename_categories(lambda c: FLAGS.get(str(c).lower(), c))
        elif name in date_columns(file):
            values = values.cat.rename_categories(
                lambda c: pd.Timestamp(c).strftime(EXPORT_DATE_FORMAT) if len(str(c)) == 10 else c
            )
        out[HEADERS[file][name]] = values.astype(object).where(values.notna(), "")
    export = pd.DataFrame(out)
    if file == "complaints":
        export.insert(1, IGNORED_COLUMN, "Branch " + (pd.RangeIndex(len(export)) % 4 + 1).astype(str))
    return export


def sample_mapping(complaints: pd.DataFrame, redress: pd.DataFrame | None) -> str:
    """The mapping that reads the sample export back: per file, because the two files name the complaint
    differently (`Complaint Ref`, `Case Ref`); a value line for every label the export uses."""
    lines = [
        "# How the sample case system's export becomes reportkit's extract (docs/inputs.md, 'Mapping your export').",
        "columns:",
    ]
    for file, frame in (("complaints", complaints), ("redress", redress)):
        if frame is None:
            continue
        lines.append(f"  {file}:")
        if file == "complaints":
            lines.append(f"    {_q(IGNORED_COLUMN)}: null")
        lines += [f"    {_q(HEADERS[file][c])}: {c}" for c in load_schema(file).columns if c in frame.columns]
    lines += [f'dates: {{format: "{EXPORT_DATE_FORMAT}"}}', 'booleans: {"true": [Y], "false": [N]}', "values:"]
    for file, frame in (("complaints", complaints), ("redress", redress)):
        if frame is None:
            continue
        for name, labels in export_labels(file).items():
            if name not in frame.columns:
                continue
            used = [c for c in labels if c in set(frame[name].dropna().astype(str))]
            if used:
                lines.append(f"  {name}:")
                lines += [f"    {_q(labels[code])}: {code}" for code in used]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """`text` as a double-quoted YAML scalar (whatever it holds)."""
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1_000_000).removesuffix("\n...\n").strip()


def write_sample_export(complaints: Path, redress: Path | None, folder: Path) -> dict[str, Path]:
    """Write the sample export (complaints-export.csv, redress-export.csv) and its mapping (mapping.yaml) into
    `folder`, from the canonical sample files; returns role -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {"complaints": _read(complaints), "redress": _read(redress) if redress else None}
    paths = {"complaints": folder / "complaints-export.csv", "mapping": folder / "mapping.yaml"}
    to_export(frames["complaints"], "complaints").to_csv(paths["complaints"], index=False, lineterminator="\n")
    if frames["redress"] is not None:
        paths["redress"] = folder / "redress-export.csv"
        to_export(frames["redress"], "redress").to_csv(paths["redress"], index=False, lineterminator="\n")
    paths["mapping"].write_text(sample_mapping(frames["complaints"], frames["redress"]), encoding="utf-8")
    return paths


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


def write_export_workbook(export_csv: Path, workbook: Path, file: str, sheet: str = "Complaints") -> Path:
    """The export CSV as a workbook a case system would give: dates as date cells (not text), amounts as numbers,
    everything else as text, on one sheet named `sheet`."""
    import xlsxwriter

    frame = pd.read_csv(export_csv, dtype=str, keep_default_na=False)
    dates = {HEADERS[file][c] for c in date_columns(file)}
    amounts = {HEADERS[file][c] for c in ("redress_amount", "amount") if c in HEADERS[file]}
    book = xlsxwriter.Workbook(str(workbook), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        ws = book.add_worksheet(sheet)
        for col, header in enumerate(frame.columns):
            ws.write_string(0, col, header)
            values = frame[header].tolist()
            parsed = (
                pd.to_datetime(frame[header], format=EXPORT_DATE_FORMAT, errors="coerce") if header in dates else None
            )
            for row, value in enumerate(values, start=1):
                if value == "":
                    continue
                if parsed is not None and not pd.isna(parsed.iloc[row - 1]):
                    ws.write_datetime(row, col, parsed.iloc[row - 1].to_pydatetime(), date_format)
                elif header in amounts:
                    ws.write_number(row, col, float(value))
                else:
                    ws.write_string(row, col, value)
    finally:
        book.close()
    return workbook
