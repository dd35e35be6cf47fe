"""Root causes (DISP 1.3.3R asks a firm to analyse them and act): the top causes per product, how each moves from
the previous period of the same length, and the ones that recur."""

from __future__ import annotations

import pandas as pd

from reportkit.mi.common import covers, pct, within
from reportkit.mi.frame import Window
from reportkit.mi.volumes import change_pct

TOP_CAUSES = 3
"""Causes listed per product: the three largest make most of a product's complaints in FCA data."""


def _ranked(frame: pd.DataFrame, period) -> pd.DataFrame:
    """Per product, each cause's complaints received in `period` and its rank (1 = most; ties by cause code)."""
    counts = frame[within(frame["received_date"], period)].groupby(["group", "product", "cause"]).size()
    table = counts.rename("received").reset_index()
    table = table.sort_values(["group", "product", "received", "cause"], ascending=[True, True, False, True])
    table["rank"] = table.groupby(["group", "product"]).cumcount() + 1
    return table


def root_causes(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The TOP_CAUSES causes of each product in the range, with their share of the product's complaints, the count
    in the previous period of the same length, the movement (%), and `recurring` when the cause was also among the
    product's top causes in the previous period (a cause that stays on top is one the firm has not yet fixed).
    When the extract begins after the previous period began, its count and `recurring` are blank (unknown)."""
    now, before = _ranked(frame, window.period), _ranked(frame, window.previous)
    product_total = now.groupby(["group", "product"])["received"].transform("sum")
    now["share_pct"] = pct(now["received"], product_total)
    keys = ["group", "product", "cause"]
    merged = now.merge(
        before[[*keys, "received", "rank"]].rename(columns={"received": "previous_period", "rank": "previous_rank"}),
        on=keys,
        how="left",
    )
    merged["previous_period"] = merged["previous_period"].fillna(0).astype("Int64")
    merged["recurring"] = (merged["previous_rank"] <= TOP_CAUSES).fillna(False).astype("boolean")
    if not covers(frame, window.previous.start):  # the extract begins after the previous period did: unknown
        merged["previous_period"] = pd.array([pd.NA] * len(merged), dtype="Int64")
        merged["recurring"] = pd.array([pd.NA] * len(merged), dtype="boolean")
    merged["movement_pct"] = change_pct(merged["received"], merged["previous_period"])
    top = merged[merged["rank"] <= TOP_CAUSES].drop(columns="previous_rank")
    columns = ["group", "product", "rank", "cause", "received", "share_pct", "previous_period", "movement_pct",
               "recurring"]  # fmt: skip
    return top[columns].reset_index(drop=True)
