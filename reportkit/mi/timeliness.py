"""Time to close against the DISP limits and the firm's own service levels, with every breaching complaint listed.

DISP limits: a final response by the end of eight weeks after receipt (DISP 1.6.2R); for a payment services or
e-money complaint, by the end of the 15th business day after receipt, or the 35th in exceptional circumstances
with a holding reply (DISP 1.6.2AR). Closing by the 3rd business day after receipt allows a summary resolution
communication (DISP 1.5.1R): a measure of speed, not a breach. A complaint still open at the end of the range past
its limit is a breach too (it cannot close in time any more).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit import rules
from reportkit.mi.common import day_text, pct, within
from reportkit.mi.frame import Window, business_days_to, payment_limit
from reportkit.mi_settings import MiSettings

EIGHT_WEEKS = "disp_8_weeks"
"""DISP 1.6.2R: no final response by the end of eight weeks (56 days) after receipt."""
PAYMENT_15 = "disp_payment_15_business_days"
"""DISP 1.6.2AR(1): a payment services complaint past the 15th business day (a holding reply is then needed)."""
PAYMENT_35 = "disp_payment_35_business_days"
"""DISP 1.6.2AR(2): past the 35th business day, the outer limit even in exceptional circumstances."""
SERVICE_LEVEL = "service_level"
"""The firm's own service level for the complaint's product group (configuration `mi.service_levels`)."""

BREACH_COLUMNS = ["rule", "complaint_id", "firm_frn", "group", "product", "received_date", "limit_date",
                  "closed_date", "days_over", "handler"]  # fmt: skip


def _as_at(frame: pd.DataFrame, window: Window) -> pd.Series:
    """The day each complaint's time is measured to: its closure, or the end of the range while open then."""
    end = pd.Timestamp(window.end)
    closed = frame["closed_date"]
    return closed.where(closed.notna() & (closed <= end), end)


def relevant(frame: pd.DataFrame, window: Window) -> np.ndarray:
    """Complaints whose handling time the range judges: closed in the range, or received by its end and open
    at its end."""
    end = pd.Timestamp(window.end)
    closed_in = within(frame["closed_date"], window.period)
    open_at_end = (frame["received_date"] <= end).to_numpy() & (
        frame["closed_date"].isna() | (frame["closed_date"] > end)
    ).to_numpy()
    return closed_in | open_at_end


def _breaches(frame: pd.DataFrame, window: Window, rule: str, limit: np.ndarray, mask: np.ndarray) -> pd.DataFrame:
    """The complaints of `mask` whose as-at day is after `limit` (datetime64[D]), as breach rows."""
    as_at = _as_at(frame, window).to_numpy(dtype="datetime64[D]")
    late = mask & (as_at > limit)
    rows = frame[late]
    return pd.DataFrame(
        {
            "rule": rule,
            "complaint_id": rows["complaint_id"].to_numpy(),
            "firm_frn": rows["firm_frn"].to_numpy(),
            "group": rows["group"].to_numpy(),
            "product": rows["product"].to_numpy(),
            "received_date": day_text(rows["received_date"]),
            "limit_date": np.datetime_as_string(limit[late], unit="D"),
            "closed_date": day_text(rows["closed_date"]),
            "days_over": (as_at[late] - limit[late]).astype("int64"),
            "handler": rows["handler"].to_numpy(),
        },
        columns=BREACH_COLUMNS,
    )


def disp_breaches(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Every complaint of the range past a DISP limit, by rule, then received date and complaint id."""
    judged = relevant(frame, window)
    paying = frame["payment_service"].notna().to_numpy()
    received = frame["received_date"].to_numpy(dtype="datetime64[D]")
    eight_weeks = received + np.timedelta64(rules.EIGHT_WEEKS_CALENDAR_DAYS, "D")
    parts = [_breaches(frame, window, EIGHT_WEEKS, eight_weeks, judged & ~paying)]
    if paying.any():
        nation = frame["nation"]
        limit_15 = payment_limit(frame["received_date"], nation, rules.PSD_LIMIT_BUSINESS_DAYS)
        limit_35 = payment_limit(frame["received_date"], nation, rules.PSD_EXCEPTIONAL_LIMIT_BUSINESS_DAYS)
        parts.append(_breaches(frame, window, PAYMENT_15, limit_15, judged & paying))
        parts.append(_breaches(frame, window, PAYMENT_35, limit_35, judged & paying))
    return _sorted(pd.concat(parts, ignore_index=True))


def _sorted(breaches: pd.DataFrame) -> pd.DataFrame:
    return breaches.sort_values(["rule", "received_date", "firm_frn", "complaint_id"], ignore_index=True)


def service_level_limits(frame: pd.DataFrame, settings: dict[str, MiSettings]) -> np.ndarray:
    """Per complaint, the last day of its firm's service level for its product group (NaT where none is set)."""
    limit = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]")
    received = frame["received_date"]
    for frn, mi in settings.items():
        if not mi.service_levels:
            continue
        of_firm = (frame["firm_frn"] == frn).to_numpy(dtype=bool)
        for group in pd.unique(frame.loc[of_firm, "group"].dropna()):
            level = mi.service_level(str(group))
            if level is None:
                continue
            rows = of_firm & (frame["group"] == group).to_numpy(dtype=bool)
            if level.weeks is not None:
                days = received[rows].to_numpy(dtype="datetime64[D]")
                limit[rows] = days + np.timedelta64(7 * level.weeks, "D")
            else:
                limit[rows] = payment_limit(received[rows], frame.loc[rows, "nation"], level.business_days)
    return limit


def service_level_breaches(frame: pd.DataFrame, window: Window, settings: dict[str, MiSettings]) -> pd.DataFrame:
    """Every complaint of the range past its firm's own service level (none when no service level is set)."""
    limit = service_level_limits(frame, settings)
    judged = relevant(frame, window) & ~np.isnat(limit)
    return _sorted(_breaches(frame, window, SERVICE_LEVEL, limit, judged))


def time_to_close(frame: pd.DataFrame, window: Window, settings: dict[str, MiSettings]) -> pd.DataFrame:
    """Per product group, of the complaints closed in the range: how many closed within 3 business days, within
    8 weeks and after; the payment services complaints within 15 and 35 business days; the median business days
    to close; and how many met the firm's service level (where one is set)."""
    closed = within(frame["closed_date"], window.period)
    rows = frame[closed]
    days = business_days_to(rows["received_date"], rows["closed_date"], rows["nation"])
    calendar_days = (rows["closed_date"] - rows["received_date"]).dt.days.to_numpy()
    paying = rows["payment_service"].notna().to_numpy()
    limit = service_level_limits(rows, settings)
    with_level = ~np.isnat(limit)
    met = with_level & (rows["closed_date"].to_numpy(dtype="datetime64[D]") <= limit)
    facts = pd.DataFrame(
        {
            "group": rows["group"].to_numpy(),
            "closed": 1,
            "within_3_business_days": days <= rules.THREE_DAY_LIMIT_BUSINESS_DAYS,
            "within_8_weeks": calendar_days <= rules.EIGHT_WEEKS_CALENDAR_DAYS,
            "payment_services_closed": paying,
            "payment_within_15_business_days": paying & (days <= rules.PSD_LIMIT_BUSINESS_DAYS),
            "payment_within_35_business_days": paying & (days <= rules.PSD_EXCEPTIONAL_LIMIT_BUSINESS_DAYS),
            "with_service_level": with_level,
            "service_level_met": met,
            "business_days": days,
        }
    )
    counts = facts.drop(columns="business_days").groupby("group").sum().astype("int64")
    medians = facts.groupby("group")["business_days"].median()
    total = counts.sum().to_frame("all").T
    table = pd.concat([counts, total])
    table["after_8_weeks"] = table["closed"] - table["within_8_weeks"]
    table["within_3_business_days_pct"] = pct(table["within_3_business_days"], table["closed"])
    table["within_8_weeks_pct"] = pct(table["within_8_weeks"], table["closed"])
    table["service_level_met_pct"] = pct(table["service_level_met"], table["with_service_level"])
    table["median_business_days"] = pd.concat([medians, pd.Series({"all": facts["business_days"].median()})])
    return table.rename_axis("group").reset_index()
