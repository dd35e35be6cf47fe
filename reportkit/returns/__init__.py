"""The registry of returns: everything particular to a return, which the rest of reportkit asks for.

Each entry names the return's builder, notebook and workbook sheet; whether the schedule plans it (a summary
for publication is decided after its report is built, not planned); how a report of it is summarised for
publication (DISP 1.10A.1R); and the files written beside its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from reportkit.publication import write_csv, write_page
from reportkit.returns import annex1b, annex1b_cmc
from reportkit.returns.annex1 import build_annex1
from reportkit.returns.annex1ab import build_annex1ab
from reportkit.returns.annex1ad import build_annex1ad
from reportkit.returns.annex1b import build_annex1b
from reportkit.returns.annex1c import build_annex1c
from reportkit.returns.common import BuildInputs, ReturnResult

OutputWriter = Callable[[dict[str, Any], Path, str | None], None]
"""Writes one more file of a return from its JSON document: (document, path without suffix, the note on a
shortened period or None)."""


@dataclass(frozen=True)
class SummarySpec:
    """How the publication summary of one kind of report is decided and built (DISP 1.10A.1R)."""

    code: str
    """The return the summary is filed as (annex1b)."""
    decide: Callable[[BuildInputs], tuple[bool, str]]
    """Whether the report reaches its publication threshold, and the reason either way."""
    build: Callable[[BuildInputs], ReturnResult]


def _public_page(document: dict[str, Any], base: Path, period_note: str | None) -> None:
    write_page(document, base.with_suffix(".html"), period_note)


def _public_csv(document: dict[str, Any], base: Path, period_note: str | None) -> None:
    write_csv(document, base.with_suffix(".csv"))  # the table only: it shows no period, so needs no note


@dataclass(frozen=True)
class ReturnSpec:
    code: str
    title: str
    build: Callable[[BuildInputs], ReturnResult]
    notebook: str
    sheet: str
    planned: bool = True
    """Owed through the configuration's `returns` and planned by the schedule; False for a summary, which is
    built when the report it summarises reaches its threshold."""
    summary: SummarySpec | None = None
    """How a report of this return is summarised for publication, when it can owe a summary at all
    (schedule.summary_can_be_owed)."""
    outputs: tuple[OutputWriter, ...] = ()
    """Files written beside returns/<stem>.json (the public page and CSV of a summary)."""
    nil_shows: tuple[str, ...] = ()
    """The firm's configuration answers (Firm attributes) a nil return of this return shows besides its FRN: members
    whose answers agree get the same nil return but for the FRN, so a group builds it once per distinct answer
    (pipeline.nil_return_for)."""


RETURNS: dict[str, ReturnSpec] = {
    "annex1": ReturnSpec(
        "annex1",
        "Complaints return (DISP 1 Annex 1R)",
        build_annex1,
        "annex1.ipynb",
        "Annex 1",
        # Annex 1B by product group (DISP 1.10A.1R(1), (2); 1,000 for (1A)(a) firms).
        summary=SummarySpec("annex1b", annex1b.publication_decision, annex1b.build_annex1b),
    ),
    "annex1ab": ReturnSpec(
        "annex1ab",
        "Claims management return (DISP 1 Annex 1ABR)",
        build_annex1ab,
        "return.ipynb",
        "Annex 1AB",
        # Claims-management-only firms (DISP 1.10A.1R(1A)(aa), (b), (3)): by type of claim, reportkit's own
        # row layout (Annex 1B has no claims-management rows).
        summary=SummarySpec("annex1b", annex1b_cmc.publication_decision, annex1b_cmc.build_annex1b_cmc),
    ),
    "annex1ad": ReturnSpec(
        "annex1ad",
        "Payment services and e-money return (DISP 1 Annex 1AD)",
        build_annex1ad,
        "return.ipynb",
        "Annex 1AD",
        nil_shows=("publication_consent",),  # asked on every 1AD return, nil or not (DISP 1.10B.14G)
    ),
    "annex1c": ReturnSpec(
        "annex1c", "Retail investment adviser complaints (DISP 1 Annex 1CR)", build_annex1c, "return.ipynb", "Annex 1C"
    ),
    "annex1b": ReturnSpec(
        "annex1b",
        "Complaints data summary (DISP 1 Annex 1BR)",
        build_annex1b,
        "return.ipynb",
        "Annex 1B",
        planned=False,
        outputs=(_public_page, _public_csv),
    ),
}


def planned_returns() -> list[str]:
    """The returns the schedule plans from a firm's configured `returns` (config.RETURN_CODES, in this order)."""
    return [code for code, spec in RETURNS.items() if spec.planned]
