"""The registry of returns: each names its builder, its notebook and its workbook sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reportkit.returns import annex1b, annex1b_cmc
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


@dataclass(frozen=True)
class SummarySpec:
    """How the Annex 1B summary of one kind of report is decided and built (DISP 1.10A.1R)."""

    decide: Callable[[BuildInputs], tuple[bool, str]]
    """Whether the report reaches its publication threshold, and the reason either way."""
    build: Callable[[BuildInputs], ReturnResult]


SUMMARISED_BY_ANNEX1B: dict[str, SummarySpec] = {
    # Annex 1 reports: Annex 1B by product group (DISP 1.10A.1R(1), (2); 1,000 for (1A)(a) firms).
    "annex1": SummarySpec(annex1b.publication_decision, annex1b.build_annex1b),
    # Annex 1AB reports of a firm with permission only for claims management (DISP 1.10A.1R(1A)(aa), (b), (3)):
    # by type of claim, reportkit's own row layout (Annex 1B has no claims-management rows).
    "annex1ab": SummarySpec(annex1b_cmc.publication_decision, annex1b_cmc.build_annex1b_cmc),
}
"""Reports whose publication summary is the `annex1b` return, by source return code. Whether a firm's report of
that return can owe one at all is schedule.summary_can_be_owed (Annex 1AB: claims-management-only firms)."""
