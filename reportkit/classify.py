"""Classification: the typed extract plus, per complaint, everything the counting rules decide once.

Adds the firm's part of the UK, product and cause groups, scope, upheld and the closure bands. All
columns are computed on whole columns (vectorised), never row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit import rules
from reportkit.config import Config
from reportkit.distinct import by_rows, category_by_rows, map_category, text_of
from reportkit.errors import InputError
from reportkit.money import check_total_fits
from reportkit.taxonomy import load_taxonomy

CODE_COLUMNS = (
    "firm_frn",
    "nation",
    "outcome",
    "forwarded",
    "product",
    "product_group",
    "cause",
    "cause_group",
    "credit_activity",
    "cmc_claim_type",
    "cmc_focus",
    "payment_service",
    "payment_cause",
    "app_fraud_role",
    "band_annex1",
    "band_1ad",
)
"""Columns of a few distinct codes, held as pandas categoricals: subsetting and grouping a million rows of
them moves small integer codes instead of strings."""

REDRESS_LINE_COLUMNS = [
    "firm_frn",
    "complaint_id",
    "complaint_row",
    "paid_date",
    "redress_type",
    "units",
    "counts_annex1",
    "counts_1ad",
]


def classify(complaints: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Return the typed complaints with the derived columns the returns are counted from.

    Code columns become categoricals first, so that the derived codes (nation, product and cause groups) are
    looked up once per code; the bands and adviser keys are decided once per distinct combination of the
    columns they read (reportkit.distinct): the same answers as row by row."""
    taxonomy = load_taxonomy()
    frame = complaints.copy()
    for column in ("firm_frn", *SOURCE_CODE_COLUMNS):
        frame[column] = frame[column].astype("category")
    frame["nation"] = map_category(frame["firm_frn"], {frn: firm.business_days for frn, firm in config.firms.items()})
    frame["product_group"] = map_category(frame["product"], taxonomy.parents["part_a_products"])
    frame["cause_group"] = map_category(frame["cause"], taxonomy.parents["part_a_causes"])
    frame["in_scope_annex1"] = rules.in_scope_annex1(frame)
    frame["upheld"] = rules.is_upheld(frame["outcome"], frame["goodwill_payment"])
    dates = frame[["received_date", "closed_date", "nation"]]
    frame["band_annex1"] = category_by_rows(
        dates, lambda d: rules.annex1_time_band(d["received_date"], d["closed_date"], d["nation"]), rules.ANNEX1_BANDS
    )
    frame["in_scope_1ad"] = rules.in_scope_annex1ad(frame, taxonomy.eligible_only_payment_services())
    frame["band_1ad"] = category_by_rows(
        dates,
        lambda d: rules.annex1ad_time_band(d["received_date"], d["closed_date"], d["nation"]),
        rules.ANNEX1AD_BANDS,
    )
    frame["adviser_key"] = by_rows(frame[list(ADVISER_COLUMNS)], rules.adviser_key)
    for column in CODE_COLUMNS:
        frame[column] = frame[column].astype("category")
    return frame


SOURCE_CODE_COLUMNS = tuple(c for c in CODE_COLUMNS if c not in ("firm_frn", "nation", "product_group", "cause_group",
                                                                 "band_annex1", "band_1ad"))  # fmt: skip
"""The code columns read from the extract (the others are derived here)."""

ADVISER_COLUMNS = (
    "adviser_irn",
    "adviser_ni_number",
    "adviser_date_of_birth",
    "adviser_passport_number",
    "adviser_nationality",
)
"""What an adviser's key is made from (DISP 1.10.2AR(3), rules.adviser_key)."""


def redress_lines(complaints: pd.DataFrame, redress: pd.DataFrame | None) -> pd.DataFrame:
    """Every payment or cost borne (see _redress_lines), refused when their total could not be added exactly.

    Raises:
        InputError: the amounts together exceed what 64-bit integer units can sum (only with a raised
            money_ceiling and hundreds of thousands of near-ceiling lines).
    """
    lines = _redress_lines(complaints, redress)
    if not check_total_fits(lines["units"]):
        raise InputError(
            "redress amounts add up to more than reportkit can total exactly; check the amounts or lower "
            "money_ceiling in the configuration"
        )
    return lines


def _redress_lines(complaints: pd.DataFrame, redress: pd.DataFrame | None) -> pd.DataFrame:
    """Every payment or cost borne, one line each, flagged with whether it counts as redress.

    With a redress file, its lines are flagged by type (DISP 1.10.3G(3)-(4), 1.10B.8G(3)-(4)). Without one,
    each complaint's redress_amount is one line that already meets the DISP definition, dated on the
    complaint's closed_date (the only date it has, used by the paid_in_period attribution).
    Amounts are integer units of 1/10,000 pound; complaint_row is the line's complaint's position in
    `complaints` (validation guarantees there is one), so per-period sums are a bincount, not a join.
    """
    if redress is not None:
        types = load_taxonomy().raw["redress_types"]
        lines = redress[["firm_frn", "complaint_id", "paid_date", "redress_type"]].copy()
        keys = pd.MultiIndex.from_arrays([text_of(complaints["firm_frn"]), text_of(complaints["complaint_id"])])
        line_keys = pd.MultiIndex.from_arrays([text_of(lines["firm_frn"]), text_of(lines["complaint_id"])])
        lines["complaint_row"] = keys.get_indexer(line_keys)
        lines["units"] = redress["amount"].astype("int64")
        lines["counts_annex1"] = rules.redress_type_counts(redress["redress_type"], types, "annex1")
        lines["counts_1ad"] = rules.redress_type_counts(redress["redress_type"], types, "1ad")
        return lines[REDRESS_LINE_COLUMNS].reset_index(drop=True)
    given = complaints[complaints["redress_amount"].notna()]
    return pd.DataFrame(
        {
            "firm_frn": given["firm_frn"].to_numpy(),
            "complaint_id": given["complaint_id"].to_numpy(),
            "complaint_row": np.flatnonzero(complaints["redress_amount"].notna().to_numpy()),
            "paid_date": given["closed_date"].to_numpy(),
            "redress_type": "redress_amount",
            "units": given["redress_amount"].astype("int64").to_numpy(),
            "counts_annex1": True,
            "counts_1ad": True,
        },
        columns=REDRESS_LINE_COLUMNS,
    )
