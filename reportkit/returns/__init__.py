"""The registry of returns: each names its builder, its layout file and its notebook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reportkit.returns.annex1 import build_annex1
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
}
