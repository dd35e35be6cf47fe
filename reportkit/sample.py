"""A seeded generator of realistic synthetic complaint extracts, redress lines and context figures.

Proportions follow the FCA's published firm-level complaints data for 2025 H1
(shared/data/fca-firm-level-complaints-2025h1.csv, 219 firms, 1.76 million complaints opened):
banking and credit cards about 50% of complaints, insurance 38%, pensions 5%, home finance 4%,
investments 2.5%; 46% closed within 3 business days, 48% after that within 8 weeks; 58.5% upheld.
Everything is vectorised numpy, so a million complaints take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from reportkit.taxonomy import load_taxonomy

CLOSE_BANDS = {"within_3_days": 0.46, "to_8_weeks": 0.48, "after_8_weeks": 0.06}
OUTCOMES = {"upheld": 0.40, "partially_upheld": 0.17, "not_upheld": 0.38, "no_decision": 0.05}
CAUSE_WEIGHTS = {
    "unsuitable_advice": 0.03, "unclear_guidance_arrangement": 0.04, "product_disclosure_information": 0.07,
    "product_performance_features": 0.10, "disputes_over_sums_charges": 0.12, "delays_timescales": 0.16,
    "errors_not_following_instructions": 0.18, "other_general_admin": 0.20, "arrears_related": 0.04, "other": 0.06,
}
PAYMENT_CAUSES = {"unauthorised_transaction": 0.3, "execution_of_transaction": 0.25, "charges_interest": 0.15,
                  "information_communication": 0.1, "access_account_management": 0.15, "other": 0.05}


@dataclass
class FirmProfile:
    """One synthetic firm: who it is and the mix of its complaints."""

    frn: str
    name: str
    complaints_per_half_year: int
    products: dict[str, float]
    credit_activities: dict[str, float] = field(default_factory=dict)
    credit_share: float = 0.0
    payment_services: list[str] = field(default_factory=list)
    payment_share: float = 0.0
    trading_names: list[str] = field(default_factory=list)
    business_days: str = "ENG"


SAMPLE_BANK = FirmProfile(
    frn="100001", name="Sample Bank plc", complaints_per_half_year=1400, trading_names=["Sample", "Sample Direct"],
    products={"current_accounts": 0.30, "credit_cards": 0.20, "packaged_accounts": 0.05, "savings_including_isas": 0.07,
              "unregulated_loans_overdrafts": 0.05, "other_banking": 0.03, "motor_transport": 0.12, "property": 0.06,
              "travel": 0.02, "other_regulated_home_finance": 0.06, "isas_investment": 0.02, "platforms": 0.02},
    credit_activities={"other_lending": 0.5, "credit_broking": 0.2, "debt_collecting": 0.3}, credit_share=0.06,
    payment_services=["debit_cash_cards", "credit_transfers", "direct_debits", "credit_cards"], payment_share=0.25,
)


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(codes, size=n, p=p / p.sum())


def generate_complaints(profile: FirmProfile, period_end: dt.date, seed: int, months_before: int = 12) -> pd.DataFrame:
    """Complaints received over the `months_before` months up to `period_end` (so some are outstanding at the
    start of the last half-year, and the previous half-year exists for comparison), closed per the FCA shares."""
    rng = np.random.default_rng(seed)
    n = int(profile.complaints_per_half_year * months_before / 6)
    end = np.datetime64(period_end, "D")
    span = months_before * 30
    received = end - rng.integers(0, span, size=n).astype("timedelta64[D]")
    band = _choice(rng, CLOSE_BANDS, n)
    days = np.where(band == "within_3_days", rng.integers(0, 4, n),
                    np.where(band == "to_8_weeks", rng.integers(6, 57, n), rng.integers(57, 150, n)))
    closed = received + days.astype("timedelta64[D]")
    still_open = closed > end
    credit = rng.random(n) < profile.credit_share
    product = np.where(credit, None, _choice(rng, profile.products, n))
    credit_activity = np.where(credit, _choice(rng, profile.credit_activities or {"other_credit_related": 1}, n), None)
    outcome = np.where(still_open, None, _choice(rng, OUTCOMES, n))
    groups = load_taxonomy().parents["part_a_products"]
    banking = pd.Series(product).map(groups).eq("banking_credit_cards").to_numpy()
    paying = banking & (rng.random(n) < profile.payment_share) & bool(profile.payment_services)
    payment_service = np.where(paying, rng.choice(np.array(profile.payment_services or ["other_payment_service"], dtype=object), n), None)
    fmt = lambda values: np.datetime_as_string(values, unit="D").astype(object)  # noqa: E731
    frame = pd.DataFrame({
        "complaint_id": [f"{profile.frn}-{i:07d}" for i in range(n)],
        "firm_frn": profile.frn,
        "received_date": fmt(received),
        "closed_date": np.where(still_open, None, fmt(closed)),
        "outcome": outcome,
        "goodwill_payment": np.where(rng.random(n) < 0.10, "true", "false"),
        "product": product,
        "cause": np.where(credit, None, _choice(rng, CAUSE_WEIGHTS, n)),
        "credit_activity": credit_activity,
        "payment_service": payment_service,
        "payment_cause": np.where(paying, _choice(rng, PAYMENT_CAUSES, n), None),
        "app_fraud_role": np.where(paying & (rng.random(n) < 0.05), "payer_psp", None),
        "eligible_complainant": np.where(rng.random(n) < 0.98, "true", "false"),
        "forwarded": _choice(rng, {"none": 0.98, "entire": 0.01, "partial": 0.01}, n),
        "vulnerable_customer": np.where(rng.random(n) < 0.08, "true", "false"),
        "vulnerability_related": np.where(rng.random(n) < 0.01, "true", "false"),
    })
    return frame.sort_values(["received_date", "complaint_id"], ignore_index=True)


def generate_redress(complaints: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Redress lines for closed complaints: most upheld ones are paid, a few rejected ones get goodwill."""
    rng = np.random.default_rng(seed + 1)
    closed = complaints[complaints["closed_date"].notna()]
    upheld = closed["outcome"].isin(["upheld", "partially_upheld"]).to_numpy()
    pays = np.where(upheld, rng.random(len(closed)) < 0.7, rng.random(len(closed)) < 0.05)
    paid = closed[pays]
    n = len(paid)
    types = _choice(rng, {"financial_loss": 0.45, "distress_inconvenience": 0.3, "goodwill": 0.15,
                          "interest_on_delay": 0.05, "premium_refund_in_error": 0.03, "payment_transaction_amount": 0.02}, n)
    amounts = np.round(np.exp(rng.normal(4.0, 1.2, n)), 2)
    return pd.DataFrame({
        "complaint_id": paid["complaint_id"].to_numpy(), "firm_frn": paid["firm_frn"].to_numpy(),
        "paid_date": paid["closed_date"].to_numpy(), "redress_type": types, "amount": [f"{a:.2f}" for a in amounts],
    })


def generate_context(profile: FirmProfile, period_end: dt.date, seed: int) -> pd.DataFrame:
    """Provision and intermediation figures for every product the firm offers, at this period end."""
    rng = np.random.default_rng(seed + 2)
    groups = load_taxonomy().parents["part_a_products"]
    rows = []
    for product, weight in profile.products.items():
        complaints = profile.complaints_per_half_year * weight
        rows.append({"firm_frn": profile.frn, "period_end": period_end.isoformat(), "measure": "provision",
                     "key": product, "value": int(complaints * 1000 / rng.uniform(1.5, 7.0))})
        if groups[product] != "banking_credit_cards":
            rows.append({"firm_frn": profile.frn, "period_end": period_end.isoformat(), "measure": "intermediation",
                         "key": product, "value": int(complaints * 1000 / rng.uniform(3.0, 60.0))})
    return pd.DataFrame(rows)


def firm_config(profile: FirmProfile) -> dict:
    return {
        "frn": profile.frn, "name": profile.name, "trading_names": profile.trading_names,
        "accounting_reference_date": "12-31", "annual_reporter": False, "business_days": profile.business_days,
        "returns": ["annex1"], "products": list(profile.products), "credit_activities": list(profile.credit_activities),
        "payment_services": list(profile.payment_services), "cmc_claim_types": [], "publication_consent": True,
    }


SAMPLE_PERIOD_END = dt.date(2026, 6, 30)
SAMPLE_SEED = 20260630
SAMPLE_PROFILES = [SAMPLE_BANK]


def write_sample(folder: Path, profiles: list[FirmProfile] = SAMPLE_PROFILES, period_end: dt.date = SAMPLE_PERIOD_END,
                 seed: int = SAMPLE_SEED) -> dict[str, Path]:
    """Write config.yaml, complaints.csv, redress.csv and context.csv for the sample firms into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    complaints = pd.concat([generate_complaints(p, period_end, seed + i) for i, p in enumerate(profiles)], ignore_index=True)
    redress = generate_redress(complaints, seed)
    context = pd.concat([generate_context(p, period_end, seed + i) for i, p in enumerate(profiles)], ignore_index=True)
    paths = {name: folder / f"{name}.csv" for name in ("complaints", "redress", "context")}
    complaints.to_csv(paths["complaints"], index=False)
    redress.to_csv(paths["redress"], index=False)
    context.to_csv(paths["context"], index=False)
    paths["config"] = folder / "config.yaml"
    with open(paths["config"], "w", encoding="utf-8") as handle:
        handle.write("# Sample configuration written by reportkit.sample (synthetic firms).\n")
        yaml.safe_dump({"firms": [firm_config(p) for p in profiles]}, handle, sort_keys=False)
    return paths
