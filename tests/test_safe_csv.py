"""Every CSV reportkit writes opens safely in a spreadsheet: formula triggers are neutralised (OWASP)."""

from __future__ import annotations

import pandas as pd
import pytest

from reportkit.runner import run
from reportkit.safecsv import neutralise
from tests.conftest import H1_2025_END, complaint


@pytest.mark.parametrize(
    "value, written",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("C-100", "C-100"),  # a trigger inside the value is harmless
        ("plain", "plain"),
    ],
)
def test_text_cells_starting_with_a_formula_trigger_are_neutralised(value: str, written: str) -> None:
    assert neutralise(pd.DataFrame({"complaint_id": [value]}))["complaint_id"].tolist() == [written]


def test_numbers_and_missing_values_are_left_alone() -> None:
    frame = pd.DataFrame({"count": [-3, 4], "amount": [-1.5, None], "text": [None, "=x"]})
    safe = neutralise(frame)
    assert safe["count"].tolist() == [-3, 4] and safe["amount"].iloc[0] == -1.5
    assert pd.isna(safe["text"].iloc[0]) and safe["text"].iloc[1] == "'=x"


def test_lineage_and_validation_csvs_carry_no_formula(ws, tmp_path) -> None:
    rows = [
        complaint('=HYPERLINK("http://evil","click")', "2025-02-03", "2025-02-04", "upheld"),
        complaint("+cmd|' /C calc'!A0", "2025-02-03", "2025-02-04", "upheld", product="travel", cause="other"),
    ]
    folder = run(
        ws.paths(rows), "123456", H1_2025_END, tmp_path / "out", lambda m: None, notebooks=False, lineage_csv=True
    ).folder
    lineage = (folder / "lineage" / "annex1.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in lineage and "'+cmd" in lineage
    assert not any(line.startswith(("=", "+")) or ",=" in line or ",+" in line for line in lineage.splitlines())
    warnings = (folder / "validation" / "warnings.csv").read_text(encoding="utf-8")
    assert "'+cmd" in warnings and ",+cmd" not in warnings  # the undeclared travel complaint is named safely
    document = (folder / "returns" / "annex1.json").read_text(encoding="utf-8")
    assert "'=" not in document  # the JSON contract is never altered
