"""Upheld rates and average redress by product, cause and handler, with outliers flagged; redress against the
firm's plan and against each handler's authority limit.

Outlier rule (a funnel plot): a product, cause or handler is flagged when its rate or average lies more than
OUTLIER_SE standard errors from the typical key's figure, given how many complaints it has, and it has at
least OUTLIER_MIN_CLOSED closed complaints. A fixed threshold such as "mean + 2 sd of the handlers' rates" flags
nothing among five products (their spread is too small to reach 2 sd) and flags small handlers by chance; the
funnel allows for the number each has.

The centre is the median of the figures of the keys large enough to be judged (typical_figure), not the
figure for all complaints: one handler who closes a quarter of the complaints and upholds most of them would
pull the overall rate up and leave every other handler "low", so that the flag meant nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.mi.common import day_text, money, month_of, pct, within
from reportkit.mi.frame import Window
from reportkit.mi_settings import TOTAL, MiSettings

OUTLIER_SE = 2.0
"""Standard errors from the overall figure beyond which a key is flagged (about 95% two-sided)."""
OUTLIER_MIN_CLOSED = 10
"""Closed complaints a key needs before it can be flagged: a rate of 3 out of 4 says little."""

HIGH, LOW = "high", "low"


def typical_figure(value: pd.Series, n: pd.Series, fallback: float) -> float:
    """The median of `value` over the keys with at least OUTLIER_MIN_CLOSED complaints (`n`): the centre of the
    funnel, which one large outlying key cannot move; `fallback` (the figure for all complaints) when no key is
    that large."""
    judged = value[(n >= OUTLIER_MIN_CLOSED) & value.notna()]
    return float(judged.median()) if len(judged) else fallback


def _flag(value: pd.Series, overall: float, se: pd.Series, n: pd.Series) -> pd.Series:
    """ "high"/"low" where `value` lies beyond OUTLIER_SE standard errors of `overall`, else empty."""
    eligible = (n >= OUTLIER_MIN_CLOSED) & (se > 0)
    high = eligible & (value > overall + OUTLIER_SE * se)
    low = eligible & (value < overall - OUTLIER_SE * se)
    return pd.Series(np.select([high, low], [HIGH, LOW], default=""), index=value.index)


def outcomes_by(frame: pd.DataFrame, window: Window, key: str) -> pd.DataFrame:
    """Per value of `key` (group, product, cause or handler), the complaints closed in the range, how many were
    upheld (DISP 1.10.3G(2)), the upheld rate, the redress paid on them and the average per upheld complaint, each
    rate and average flagged high or low by the funnel rule."""
    closed = frame[within(frame["closed_date"], window.period) & frame[key].notna().to_numpy()]
    grouped = closed.groupby(key)
    table = pd.DataFrame(
        {
            "closed": grouped.size(),
            "upheld": grouped["upheld"].sum(),
            "redress_gbp": grouped["redress"].sum(),
        }
    ).astype({"closed": "int64", "upheld": "int64"})
    upheld = closed[closed["upheld"]]
    table["average_redress_gbp"] = upheld.groupby(key)["redress"].mean()
    rate = table["upheld"] / table["closed"]
    overall_rate = typical_figure(rate, table["closed"], float(closed["upheld"].mean()) if len(closed) else 0.0)
    rate_se = np.sqrt(overall_rate * (1 - overall_rate) / table["closed"])
    table["upheld_rate_pct"] = pct(table["upheld"], table["closed"])
    table["upheld_rate_outlier"] = _flag(rate, overall_rate, rate_se, table["closed"])
    overall_sd = float(upheld["redress"].std(ddof=0)) if len(upheld) else 0.0
    upheld_n = upheld.groupby(key).size().reindex(table.index, fill_value=0)
    overall_mean = typical_figure(
        table["average_redress_gbp"], upheld_n, float(upheld["redress"].mean()) if len(upheld) else 0.0
    )
    mean_se = overall_sd / np.sqrt(upheld_n.where(upheld_n > 0, np.nan))
    table["average_redress_outlier"] = _flag(
        table["average_redress_gbp"].fillna(overall_mean), overall_mean, mean_se.fillna(0), upheld_n
    )
    table["redress_gbp"] = money(table["redress_gbp"])
    table["average_redress_gbp"] = money(table["average_redress_gbp"])
    columns = ["closed", "upheld", "upheld_rate_pct", "upheld_rate_outlier", "redress_gbp", "average_redress_gbp",
               "average_redress_outlier"]  # fmt: skip
    return table[columns].rename_axis(key).reset_index().sort_values(["closed", key], ascending=[False, True],
                                                                     ignore_index=True)  # fmt: skip


def plan_share_of_months(months: pd.PeriodIndex, window: Window) -> list[float]:
    """For each calendar month of the range, the share of its monthly plan that applies: the days of the month
    inside the range over the days of the month (a range from 20 to 31 December gets 12/31 of December's plan,
    so twelve days of redress are not judged against a whole month's)."""
    shares = []
    for m in months:
        first, last = m.start_time.date(), m.end_time.date()
        inside = (min(last, window.end) - max(first, window.start)).days + 1
        shares.append(inside / m.days_in_month)
    return shares


def redress_against_plan(frame: pd.DataFrame, window: Window, settings: dict[str, MiSettings]) -> pd.DataFrame:
    """Per month of the range and planned product group (or `total`), the redress paid on complaints closed that
    month against the plan (pounds per month, configuration `mi.redress_plan`) summed over the entity's firms
    that plan it, in proportion for a month the range covers in part (plan_share_of_months); empty when no firm
    has a plan."""
    planned = sorted({group for mi in settings.values() for group in mi.redress_plan})
    if not planned:
        return pd.DataFrame(columns=["month", "group", "redress_gbp", "plan_gbp", "variance_gbp", "over_plan"])
    closed = frame[within(frame["closed_date"], window.period)]
    month = month_of(closed["closed_date"])
    months = pd.period_range(window.start, window.end, freq="M")
    share = plan_share_of_months(months, window)
    rows = []
    for group in planned:
        firms = [frn for frn, mi in settings.items() if group in mi.redress_plan]
        plan = sum(settings[frn].redress_plan[group] for frn in firms)
        of = closed["firm_frn"].isin(firms) & (True if group == TOTAL else closed["group"] == group)
        paid = closed.loc[of, "redress"].groupby(month[of]).sum()
        for m, part in zip(months, share, strict=True):
            m = str(m)
            rows.append({"month": m, "group": group, "redress_gbp": float(paid.get(m, 0.0)), "plan_gbp": plan * part})
    table = pd.DataFrame(rows)
    table["redress_gbp"] = money(table["redress_gbp"])
    table["plan_gbp"] = money(table["plan_gbp"])
    table["variance_gbp"] = money(table["redress_gbp"] - table["plan_gbp"])
    table["over_plan"] = table["variance_gbp"] > 0
    return table


def authority_breaches(frame: pd.DataFrame, window: Window, settings: dict[str, MiSettings]) -> pd.DataFrame:
    """Complaints closed in the range whose redress exceeds their handler's authority limit (configuration
    `mi.authority_limits`: the handler's own limit, else the firm's default), largest excess first."""
    closed = frame[within(frame["closed_date"], window.period) & frame["handler"].notna().to_numpy()]
    limit = pd.Series(np.nan, index=closed.index)
    for frn, mi in settings.items():
        of = closed["firm_frn"] == frn
        if mi.authority_default is not None:
            limit[of] = mi.authority_default
        for handler, value in mi.authority_handlers.items():
            limit[of & (closed["handler"] == handler)] = value
    over = limit.notna() & (closed["redress"] > limit)
    rows = closed[over]
    table = pd.DataFrame(
        {
            "complaint_id": rows["complaint_id"],
            "firm_frn": rows["firm_frn"],
            "handler": rows["handler"],
            "closed_date": day_text(rows["closed_date"]),
            "redress_gbp": money(rows["redress"]),
            "limit_gbp": limit[over],
        }
    )
    table["excess_gbp"] = money(table["redress_gbp"] - table["limit_gbp"])
    return table.sort_values(["excess_gbp", "firm_frn", "complaint_id"], ascending=[False, True, True],
                             ignore_index=True)  # fmt: skip
