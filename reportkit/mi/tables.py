"""Every table of the MI pack, in the order the pages and the workbook show them: a readable registry of
(name, title, what it shows, the function that builds it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from reportkit.mi import causes, outcomes, preview, timeliness, volumes
from reportkit.mi.frame import Window
from reportkit.mi.vulnerability import fos_referrals, vulnerability_outcomes, vulnerability_related_complaints
from reportkit.mi_settings import MiSettings

Build = Callable[[pd.DataFrame, Window, dict[str, MiSettings]], pd.DataFrame]


@dataclass(frozen=True)
class MiTable:
    name: str
    """File stem (tables/<name>.json) and sheet name (31 characters at most)."""
    title: str
    about: str
    build: Build
    section: str = "mi"
    """mi, or preview_2027 for the 2027 per-entity view."""


TABLES: list[MiTable] = [
    MiTable(
        "volumes_by_month",
        "Volumes by month",
        "Received and closed each month, against the same month a year before.",
        lambda f, w, s: volumes.by_month(f, w),
    ),
    MiTable(
        "volumes_by_week",
        "Volumes by week",
        "Received and closed each week (Monday to Sunday) in the range.",
        lambda f, w, s: volumes.by_week(f, w),
    ),
    MiTable(
        "volumes_by_product_group",
        "Volumes by product group",
        "Received and closed per product group, against the same span a year before.",
        lambda f, w, s: volumes.by_dimension(f, w, ["group"]),
    ),
    MiTable(
        "volumes_by_product",
        "Volumes by product",
        "Received and closed per product group and product, against the same span a year before.",
        lambda f, w, s: volumes.by_dimension(f, w, ["group", "product"]),
    ),
    MiTable(
        "volumes_by_cause",
        "Volumes by cause",
        "Received and closed per cause, against the same span a year before.",
        lambda f, w, s: volumes.by_dimension(f, w, ["cause"]),
    ),
    MiTable(
        "time_to_close",
        "Time to close",
        "Closed in the range per product group against the DISP limits (3 business days, 8 weeks; 15 and 35 "
        "business days for payment services) and the firm's service levels.",
        timeliness.time_to_close,
    ),
    MiTable(
        "disp_breaches",
        "DISP limit breaches",
        "Every complaint past a DISP time limit (closed late, or open past it at the end of the range).",
        lambda f, w, s: timeliness.disp_breaches(f, w),
    ),
    MiTable(
        "service_level_breaches",
        "Service level breaches",
        "Every complaint past the firm's own service level for its product group.",
        timeliness.service_level_breaches,
    ),
    MiTable(
        "root_causes",
        "Root causes",
        "The top causes of each product, their movement from the previous period of the same length, and "
        "those that recur (DISP 1.3.3R).",
        lambda f, w, s: causes.root_causes(f, w),
    ),
    MiTable(
        "outcomes_by_product",
        "Outcomes by product",
        "Upheld rate and redress per product, outliers flagged (funnel rule, 2 standard errors).",
        lambda f, w, s: outcomes.outcomes_by(f, w, "product"),
    ),
    MiTable(
        "outcomes_by_cause",
        "Outcomes by cause",
        "Upheld rate and redress per cause, outliers flagged.",
        lambda f, w, s: outcomes.outcomes_by(f, w, "cause"),
    ),
    MiTable(
        "outcomes_by_handler",
        "Outcomes by handler",
        "Upheld rate and redress per handler (when the extract has a handler column), outliers flagged.",
        lambda f, w, s: outcomes.outcomes_by(f, w, "handler"),
    ),
    MiTable(
        "redress_against_plan",
        "Redress against plan",
        "Redress on complaints closed each month against the configured plan.",
        outcomes.redress_against_plan,
    ),
    MiTable(
        "authority_breaches",
        "Authority limit breaches",
        "Complaints whose redress exceeds the handler's authority limit.",
        outcomes.authority_breaches,
    ),
    MiTable(
        "vulnerability",
        "Vulnerability outcomes",
        "Customers identified as vulnerable against other customers: share, upheld rate, time to close, redress.",
        lambda f, w, s: vulnerability_outcomes(f, w),
    ),
    MiTable(
        "vulnerability_related",
        "Failure to consider vulnerability",
        "Every complaint received in the range about a failure to consider a customer's vulnerability, with its "
        "outcome so far.",
        lambda f, w, s: vulnerability_related_complaints(f, w),
    ),
    MiTable(
        "fos_referrals",
        "Ombudsman referrals",
        "Financial Ombudsman Service referral rate and overturn rate per product group.",
        lambda f, w, s: fos_referrals(f, w),
    ),
    MiTable(
        "preview_2027",
        "2027 preview",
        "Per legal entity and calendar half-year, the counts the consolidated return makes mandatory.",
        lambda f, w, s: preview.preview_2027(f, w),
        section="preview_2027",
    ),
    MiTable(
        "readiness_2027",
        "2027 data readiness",
        "Per legal entity, the fields the consolidated return needs and how complete they are.",
        lambda f, w, s: preview.readiness_2027(f, w),
        section="preview_2027",
    ),
]


def tables_of(section: str | None) -> list[MiTable]:
    """The tables of a section (mi or preview_2027), or every table for None."""
    return [t for t in TABLES if section is None or t.section == section]


def build_tables(
    frame: pd.DataFrame, window: Window, settings: dict[str, MiSettings], section: str | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of `section` (all for None), by name, in registry order."""
    return {table.name: table.build(frame, window, settings) for table in tables_of(section)}
