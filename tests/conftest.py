"""Shared test helpers: write a configuration and a small extract, then build returns through the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reportkit import api

FIRM = {
    "frn": "123456",
    "name": "Example Bank plc",
    "trading_names": ["Example"],
    "accounting_reference_date": "12-31",
    "annual_reporter": False,
    "business_days": "ENG",
    "returns": ["annex1"],
    "products": ["current_accounts", "credit_cards"],
    "credit_activities": ["credit_broking"],
    "publication_consent": True,
}

H1_2025_END = dt.date(2025, 6, 30)


def complaint(cid: str, received: str, closed: str | None = None, outcome: str | None = None, **extra) -> dict:
    """One extract row with sensible defaults: a current-account complaint about delays."""
    row = {
        "complaint_id": cid,
        "firm_frn": "123456",
        "received_date": received,
        "closed_date": closed or "",
        "outcome": outcome or ("not_upheld" if closed else ""),
        "product": "current_accounts",
        "cause": "delays_timescales",
    }
    row.update(extra)
    return row


class Workspace:
    """A temp folder holding a config and input files, with shortcuts to validate and build."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def config(self, firms: list[dict] | None = None, **top) -> Path:
        path = self.root / "config.yaml"
        path.write_text(yaml.safe_dump({"firms": firms or [FIRM], **top}), encoding="utf-8")
        return path

    def csv(self, name: str, rows: list[dict]) -> Path:
        path = self.root / name
        pd.DataFrame(rows).to_csv(path, index=False)
        return path

    def paths(
        self,
        rows: list[dict],
        redress: list[dict] | None = None,
        context: list[dict] | None = None,
        firms: list[dict] | None = None,
        **top,
    ) -> api.InputPaths:
        return api.InputPaths.of(
            self.config(firms, **top),
            self.csv("complaints.csv", rows),
            self.csv("redress.csv", redress) if redress is not None else None,
            self.csv("context.csv", context) if context is not None else None,
        )

    def annex1(self, rows: list[dict], period_end: dt.date = H1_2025_END, entity: str = "123456", **kwargs) -> dict:
        prepared = api.prepare(self.paths(rows, **kwargs))
        results = api.build_returns(prepared, entity, period_end)
        return next(r for r in results if r.code == "annex1").document


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def redress_line(cid: str, paid: str, redress_type: str, amount: str, frn: str = "123456") -> dict:
    """One row of a redress file."""
    return {"complaint_id": cid, "firm_frn": frn, "paid_date": paid, "redress_type": redress_type, "amount": amount}
