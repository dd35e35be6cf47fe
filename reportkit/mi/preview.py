"""The 2027 per-entity view: each legal entity on its own (every member of a group separately) and each calendar
half-year in the range, counted the way the consolidated return (PS25/19) will count, with a data-readiness table.

The layout (measures, labels, the "Other" codes, the readiness fields) is data: schemas/mi/preview_2027.yaml. It is
a preview built from the published policy, not the final form, and every page and sheet says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import yaml

from reportkit.calendar import Period
from reportkit.mi.common import pct, within
from reportkit.mi.frame import Window
from reportkit.paths import MI_LAYOUTS_DIR


@dataclass(frozen=True)
class PreviewLayout:
    title: str
    label: str
    explanation: str
    measures: dict[str, str]
    """Measure code -> label, in layout order."""
    other_codes: dict[str, frozenset[str]]
    readiness: list[dict[str, str]]


def half_years(window: Window) -> list[Period]:
    """The calendar half-years (1 January-30 June, 1 July-31 December) the range touches, each cut to the range."""
    periods = []
    for year in range(window.start.year, window.end.year + 1):
        for start, end in ((dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31))):
            if end >= window.start and start <= window.end:
                periods.append(Period(max(start, window.start), min(end, window.end)))
    return periods


def half_year_name(period: Period) -> str:
    """2027-H1 or 2027-H2."""
    return f"{period.start.year}-H{1 if period.start.month <= 6 else 2}"


Measure = Callable[[pd.DataFrame, Period, PreviewLayout], np.ndarray]


def _opened(f, p, _):
    return within(f["received_date"], p)


def _closed(f, p, _):
    return within(f["closed_date"], p)


def _outstanding(f, p, _):
    """Received by the end of the half-year and not closed by then."""
    end = pd.Timestamp(p.end)
    return ((f["received_date"] <= end) & (f["closed_date"].isna() | (f["closed_date"] > end))).to_numpy(dtype=bool)


def _flagged(column: str, base: Measure) -> Measure:
    return lambda f, p, layout: base(f, p, layout) & f[column].to_numpy(dtype=bool)


def _other(kind: str) -> Callable[[pd.DataFrame, PreviewLayout], np.ndarray]:
    return lambda f, layout: f[kind].isin(layout.other_codes[kind]).to_numpy(dtype=bool)


COUNTS: dict[str, Measure] = {
    "opened": _opened,
    "closed": _closed,
    "outstanding": _outstanding,
    "upheld": _flagged("upheld", _closed),
    "vulnerable_opened": _flagged("vulnerable_customer", _opened),
    "vulnerable_closed": _flagged("vulnerable_customer", _closed),
    "vulnerability_related_opened": _flagged("vulnerability_related", _opened),
    "vulnerability_related_closed": _flagged("vulnerability_related", _closed),
}
"""Count measures: complaints of the entity and half-year where the mask holds."""

SHARES: dict[str, str] = {"other_product_share_pct": "product", "other_cause_share_pct": "cause"}
"""Share measures: of the complaints opened, the share under an "Other" code of the column."""

MEASURES = [*COUNTS, *SHARES]


@lru_cache(maxsize=None)
def load_preview_layout(name: str = "preview_2027") -> PreviewLayout:
    """schemas/mi/<name>.yaml, checked: every measure and readiness check must be one this module computes."""
    with open(MI_LAYOUTS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    measures = {item["code"]: item["label"] for item in raw["measures"]}
    unknown = [code for code in measures if code not in MEASURES]
    unknown += [item["check"] for item in raw["readiness"] if item["check"] not in READINESS]
    if unknown:
        raise ValueError(f"schemas/mi/{name}.yaml names measures or checks reportkit does not compute: {unknown}")
    return PreviewLayout(
        raw["title"],
        raw["label"],
        raw["explanation"],
        measures,
        {kind: frozenset(codes) for kind, codes in raw["other_codes"].items()},
        list(raw["readiness"]),
    )


def preview_2027(frame: pd.DataFrame, window: Window, layout: PreviewLayout | None = None) -> pd.DataFrame:
    """One row per legal entity (firm_frn) and half-year: each measure of the layout, in layout order."""
    layout = layout or load_preview_layout()
    rows = []
    for frn in sorted(frame["firm_frn"].dropna().unique()):
        firm = frame[(frame["firm_frn"] == frn).to_numpy(dtype=bool)]
        for period in half_years(window):
            row = {"firm_frn": frn, "half_year": half_year_name(period), "from": period.start.isoformat(),
                   "to": period.end.isoformat()}  # fmt: skip
            opened = _opened(firm, period, layout)
            for code in layout.measures:
                if code in COUNTS:
                    row[code] = int(COUNTS[code](firm, period, layout).sum())
                else:
                    row[code] = pct(int((opened & _other(SHARES[code])(firm, layout)).sum()), int(opened.sum()))
            rows.append(row)
    return pd.DataFrame(rows, columns=["firm_frn", "half_year", "from", "to", *layout.measures])


Readiness = Callable[[pd.DataFrame, str, PreviewLayout], tuple[np.ndarray, np.ndarray]]


def _given(f, field, _):
    """The flag was given (not blank) on the complaint: MI keeps `given_<field>` from the extract as read."""
    return np.ones(len(f), dtype=bool), f[f"given_{field}"].to_numpy(dtype=bool)


def _not_other(f, field, layout):
    return np.ones(len(f), dtype=bool), ~f[field].isin(layout.other_codes[field]).to_numpy(dtype=bool)


def _closed_outcome(f, _field, _layout):
    closed = f["closed_date"].notna().to_numpy()
    return closed, closed & f["given_outcome"].to_numpy(dtype=bool)


READINESS: dict[str, Readiness] = {"given": _given, "not_other": _not_other, "closed_outcome": _closed_outcome}
"""Readiness checks: (the complaints the field applies to, those where it is complete)."""


def readiness_2027(frame: pd.DataFrame, window: Window, layout: PreviewLayout | None = None) -> pd.DataFrame:
    """Per legal entity and readiness field: the complaints received in the range it applies to, how many have it
    complete, the % complete and the % blank or "Other" (e.g. vulnerability flags blank on 12% of complaints)."""
    layout = layout or load_preview_layout()
    rows = []
    received = frame[within(frame["received_date"], window.period)]
    for frn in sorted(frame["firm_frn"].dropna().unique()):
        firm = received[(received["firm_frn"] == frn).to_numpy(dtype=bool)]
        for item in layout.readiness:
            applies, complete = READINESS[item["check"]](firm, item["field"], layout)
            applies_n, complete_n = int(applies.sum()), int((applies & complete).sum())
            rows.append(
                {
                    "firm_frn": frn,
                    "field": item["field"],
                    "label": item["label"],
                    "complaints": applies_n,
                    "complete": complete_n,
                    "complete_pct": pct(complete_n, applies_n),
                    "missing_pct": pct(applies_n - complete_n, applies_n),
                }
            )
    return pd.DataFrame(
        rows, columns=["firm_frn", "field", "label", "complaints", "complete", "complete_pct", "missing_pct"]
    )
