"""The registry of returns: each names its builder, its notebook and its workbook sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reportkit.returns.annex1 import build_annex1
from reportkit.returns.annex1ab import build_annex1ab
from reportkit.returns.annex1ad import build_annex1ad
from reportkit.returns.annex1b import build_annex1b
from reportkit.returns.annex1c import build_annex1c
from reportkit.returns.common import BuildInputs, ReturnResult


@dataclass(frozen=True)
class ReturnSpec:
    code: str
    title: str
    build: Callable[[BuildInputs], ReturnResult]
    notebook: str
    sheet: str


RETURNS: dict[str, ReturnSpec] = {
    "annex1": ReturnSpec("annex1", "Complaints return (DISP 1 Annex 1R)", build_annex1, "annex1.ipynb", "Annex 1"),
    "annex1ab": ReturnSpec(
        "annex1ab", "Claims management return (DISP 1 Annex 1ABR)", build_annex1ab, "return.ipynb", "Annex 1AB"
    ),
    "annex1ad": ReturnSpec(
        "annex1ad",
        "Payment services and e-money return (DISP 1 Annex 1AD)",
        build_annex1ad,
        "return.ipynb",
        "Annex 1AD",
    ),
    "annex1c": ReturnSpec(
        "annex1c", "Retail investment adviser complaints (DISP 1 Annex 1CR)", build_annex1c, "return.ipynb", "Annex 1C"
    ),
    "annex1b": ReturnSpec(
        "annex1b", "Complaints data summary (DISP 1 Annex 1BR)", build_annex1b, "return.ipynb", "Annex 1B"
    ),
}

SUMMARISED_BY_ANNEX1B = ("annex1",)
"""Reports whose publication summary is Annex 1B (its product-group format fits Annex 1 reports)."""
