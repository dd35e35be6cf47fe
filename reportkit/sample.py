"""A seeded generator of realistic synthetic complaint extracts, redress lines, context figures and config.

Proportions follow the FCA's published firm-level complaints data for 2025 H1 (219 firms, 1.76 million
complaints opened):
banking and credit cards about 50% of complaints, insurance 38%, pensions 5%, home finance 4%,
investments 2.5%; 46% closed within 3 business days, 48% after that within 8 weeks; 58.5% upheld.
Everything is vectorised numpy, so a million complaints take seconds.

The sample: a banking group (a bank, a card and payments business in Scotland, an insurer in Northern
Ireland) reporting Annex 1 jointly and Annex 1AD firm by firm; a claims management firm (annual, 1AB);
and a retail investment advice firm (Annex 1 and 1C).
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
    "unsuitable_advice": 0.03,
    "unclear_guidance_arrangement": 0.04,
    "product_disclosure_information": 0.07,
    "product_performance_features": 0.10,
    "disputes_over_sums_charges": 0.12,
    "delays_timescales": 0.16,
    "errors_not_following_instructions": 0.18,
    "other_general_admin": 0.20,
    "arrears_related": 0.04,
    "other": 0.06,
}
PAYMENT_CAUSES = {
    "unauthorised_transaction": 0.3,
    "execution_of_transaction": 0.25,
    "charges_interest": 0.15,
    "information_communication": 0.1,
    "access_account_management": 0.15,
    "other": 0.05,
}
CMC_FOCUS = {
    "lead_generation_marketing": 0.08,
    "advice_misleading_information": 0.12,
    "customer_service": 0.15,
    "general_administration": 0.12,
    "upfront_fees": 0.05,
    "fee_dispute_at_settlement": 0.15,
    "fees_above_fee_cap": 0.06,
    "claim_outcome": 0.12,
    "customer_data": 0.04,
    "delay_processing_claim": 0.1,
    "other": 0.03,
}


@dataclass
class FirmProfile:
    """One synthetic firm: who it is, what it reports, and the mix of its complaints."""

    frn: str
    name: str
    complaints_per_half_year: int
    products: dict[str, float] = field(default_factory=dict)
    credit_activities: dict[str, float] = field(default_factory=dict)
    credit_share: float = 0.0
    payment_services: list[str] = field(default_factory=list)
    payment_share: float = 0.0
    cmc_claim_types: dict[str, float] = field(default_factory=dict)
    advisers: int = 0
    """Retail investment advisers the firm employs; a third of its complaints name one (Annex 1C)."""
    trading_names: list[str] = field(default_factory=list)
    business_days: str = "ENG"
    returns: list[str] = field(default_factory=lambda: ["annex1"])
    annual_reporter: bool = False


SAMPLE_BANK = FirmProfile(
    frn="100001",
    name="Sample Bank plc",
    complaints_per_half_year=1100,
    trading_names=["Sample", "Sample Direct"],
    products={
        "current_accounts": 0.36,
        "packaged_accounts": 0.06,
        "savings_including_isas": 0.10,
        "unregulated_loans_overdrafts": 0.07,
        "other_banking": 0.04,
        "other_regulated_home_finance": 0.09,
        "equity_release": 0.02,
        "isas_investment": 0.03,
        "platforms": 0.03,
        "motor_transport": 0.12,
        "property": 0.08,
    },
    credit_activities={"other_lending": 0.5, "credit_broking": 0.2, "debt_collecting": 0.3},
    credit_share=0.06,
    payment_services=["debit_cash_cards", "credit_transfers", "direct_debits", "standing_orders", "atm_withdrawal"],
    payment_share=0.35,
    returns=["annex1", "annex1ad"],
)
SAMPLE_CARDS = FirmProfile(
    frn="100002",
    name="Sample Cards and Payments Ltd",
    complaints_per_half_year=450,
    trading_names=["SampleCard"],
    products={"credit_cards": 0.85, "other_banking": 0.15},
    credit_activities={"credit_broking": 1.0},
    credit_share=0.04,
    payment_services=[
        "credit_cards",
        "prepaid_cards_emoney_payments",
        "emoney_issuing_redemption",
        "merchant_acquiring",
    ],
    payment_share=0.6,
    business_days="SCT",
    returns=["annex1", "annex1ad"],
)
SAMPLE_INSURER = FirmProfile(
    frn="100003",
    name="Sample Insurance Ltd",
    complaints_per_half_year=300,
    trading_names=["Sample Cover"],
    products={"motor_transport": 0.45, "property": 0.25, "travel": 0.10, "pet": 0.08, "whole_of_life_term_ci": 0.12},
    business_days="NIR",
)
SAMPLE_CMC = FirmProfile(
    frn="200001",
    name="Sample Claims Ltd",
    complaints_per_half_year=560,
    trading_names=["ClaimSample"],
    cmc_claim_types={"financial_services": 0.55, "personal_injury": 0.35, "housing_disrepair": 0.10},
    returns=["annex1ab"],
    annual_reporter=True,
)
SAMPLE_ADVISER = FirmProfile(
    frn="300001",
    name="Sample Wealth Advice LLP",
    complaints_per_half_year=140,
    trading_names=["Sample Wealth"],
    products={
        "non_workplace_personal_pensions": 0.3,
        "drawdown_ufpls": 0.2,
        "investment_bonds": 0.15,
        "isas_investment": 0.2,
        "discretionary_management": 0.15,
    },
    advisers=12,
    returns=["annex1", "annex1c"],
)

SAMPLE_PROFILES = [SAMPLE_BANK, SAMPLE_CARDS, SAMPLE_INSURER, SAMPLE_CMC, SAMPLE_ADVISER]
SAMPLE_GROUP = {
    "id": "sample-group",
    "name": "Sample Banking Group",
    "reporting_firm": "100001",
    "members": ["100001", "100002", "100003"],
    "returns": ["annex1"],
}
SAMPLE_ENTITIES = ["sample-group", "200001", "300001"]
"""What `reportkit demo` runs: the group (joint Annex 1, nil returns, each member's 1AD), the CMC, the adviser."""
SAMPLE_PERIOD_END = dt.date(2025, 12, 31)
SAMPLE_SEED = 20251231


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(codes, size=n, p=p / p.sum())


def _maybe(mask: np.ndarray, values: np.ndarray | str) -> np.ndarray:
    return np.where(mask, values, None)


def _advisers(profile: FirmProfile, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Adviser identifiers in the three forms of DISP 1.10.2AR(3): mostly IRNs, a few NI or passport keys."""
    columns = (
        "adviser_irn",
        "adviser_ni_number",
        "adviser_date_of_birth",
        "adviser_passport_number",
        "adviser_nationality",
    )
    if not profile.advisers:
        return {c: np.full(n, None, dtype=object) for c in columns}
    who = rng.integers(0, profile.advisers, n)
    named = rng.random(n) < 1 / 3
    form = np.where(who < profile.advisers - 2, "irn", np.where(who == profile.advisers - 2, "ni", "passport"))
    irn = np.array([f"SWA{100 + i:05d}" for i in range(profile.advisers)], dtype=object)[who]
    dob = np.array([f"19{60 + i}-0{1 + i % 9}-1{i % 9}" for i in range(profile.advisers)], dtype=object)[who]
    return {
        "adviser_irn": _maybe(named & (form == "irn"), irn),
        "adviser_ni_number": _maybe(named & (form == "ni"), "QQ123456C"),
        "adviser_date_of_birth": _maybe(named & (form != "irn"), dob),
        "adviser_passport_number": _maybe(named & (form == "passport"), "502135326"),
        "adviser_nationality": _maybe(named & (form == "passport"), "IRL"),
    }


def generate_complaints(profile: FirmProfile, period_end: dt.date, seed: int, months_before: int = 18) -> pd.DataFrame:
    """Complaints received over the `months_before` months up to `period_end` (so some are outstanding at the
    start of the last half-year, and the previous half-year exists for comparison), closed per the FCA shares."""
    rng = np.random.default_rng(seed)
    n = int(profile.complaints_per_half_year * months_before / 6)
    end = np.datetime64(period_end, "D")
    received = end - rng.integers(0, months_before * 30, size=n).astype("timedelta64[D]")
    band = _choice(rng, CLOSE_BANDS, n)
    days = np.where(
        band == "within_3_days",
        rng.integers(0, 4, n),
        np.where(band == "to_8_weeks", rng.integers(6, 57, n), rng.integers(57, 150, n)),
    )
    closed = received + days.astype("timedelta64[D]")
    still_open = closed > end
    cmc = np.full(n, bool(profile.cmc_claim_types))
    credit = ~cmc & (rng.random(n) < profile.credit_share)
    part_a = ~cmc & ~credit
    product = _maybe(part_a, _choice(rng, profile.products or {"other_banking": 1}, n))
    banking = pd.Series(product).map(load_taxonomy().parents["part_a_products"]).eq("banking_credit_cards").to_numpy()
    paying = banking & (rng.random(n) < profile.payment_share) & bool(profile.payment_services)
    services = np.array(profile.payment_services or ["other_payment_service"], dtype=object)
    fmt = lambda values: np.datetime_as_string(values, unit="D").astype(object)  # noqa: E731
    frame = pd.DataFrame(
        {
            "complaint_id": np.char.add(f"{profile.frn}-", np.char.zfill(np.arange(n).astype(str), 7)).astype(object),
            "firm_frn": profile.frn,
            "received_date": fmt(received),
            "closed_date": _maybe(~still_open, fmt(closed)),
            "outcome": _maybe(~still_open, _choice(rng, OUTCOMES, n)),
            "goodwill_payment": np.where(rng.random(n) < 0.10, "true", "false"),
            "product": product,
            "cause": _maybe(part_a, _choice(rng, CAUSE_WEIGHTS, n)),
            "credit_activity": _maybe(
                credit, _choice(rng, profile.credit_activities or {"other_credit_related": 1}, n)
            ),
            "cmc_claim_type": _maybe(cmc, _choice(rng, profile.cmc_claim_types or {"other": 1}, n)),
            "cmc_focus": _maybe(cmc, _choice(rng, CMC_FOCUS, n)),
            "payment_service": _maybe(paying, rng.choice(services, n)),
            "payment_cause": _maybe(paying, _choice(rng, PAYMENT_CAUSES, n)),
            "app_fraud_role": _maybe(
                paying & (rng.random(n) < 0.08), _choice(rng, {"payer_psp": 0.7, "payee_psp": 0.3}, n)
            ),
            "eligible_complainant": np.where(rng.random(n) < 0.97, "true", "false"),
            "forwarded": _choice(rng, {"none": 0.98, "entire": 0.01, "partial": 0.01}, n),
            **_advisers(profile, rng, n),
            "vulnerable_customer": np.where(rng.random(n) < 0.08, "true", "false"),
            "vulnerability_related": np.where(rng.random(n) < 0.01, "true", "false"),
        }
    )
    frame = frame.assign(**mi_columns(profile, frame, period_end, seed))
    return frame.sort_values(["received_date", "complaint_id"], ignore_index=True)


HANDLERS_PER_COMPLAINTS = 150
"""One complaint handler per this many complaints a half-year (at least three per firm)."""
LENIENT_HANDLER_SHARE = 0.5
"""The last handler of each firm is given this extra share of upheld complaints: an outlier for the MI pack."""
FOS_REFERRAL = {"upheld": 0.02, "not_upheld": 0.09}
"""Share of closed complaints referred to the Ombudsman, by whether the firm upheld them."""
FOS_OUTCOMES = {"upheld_in_favour_of_complainant": 0.35, "not_upheld": 0.45, "settled": 0.12, "withdrawn": 0.08}
FOS_DECIDED_AFTER_DAYS = 90
"""A referral younger than this at the period end has no Ombudsman outcome yet."""
VULNERABILITY_BLANK_SHARE = {"100002": 0.12}
"""Firms whose vulnerability flags are blank on this share of complaints: the 2027 readiness table shows it."""


def mi_columns(profile: FirmProfile, frame: pd.DataFrame, period_end: dt.date, seed: int) -> dict[str, np.ndarray]:
    """The MI-only columns (handler, Ombudsman referral and outcome) and blanks in the vulnerability flags, from a
    random stream of their own: every column the returns read is exactly what it was without them, so no return
    figure changes. Handlers follow the outcomes already drawn, so one handler upholds markedly more."""
    rng = np.random.default_rng(seed + 3)
    n = len(frame)
    handlers = max(3, profile.complaints_per_half_year // HANDLERS_PER_COMPLAINTS)
    names = np.array([f"H{profile.frn[-3:]}-{i + 1:02d}" for i in range(handlers)], dtype=object)
    upheld = frame["outcome"].isin(["upheld", "partially_upheld"]).to_numpy()
    who = rng.integers(0, handlers, n)
    who = np.where(upheld & (rng.random(n) < LENIENT_HANDLER_SHARE), handlers - 1, who)
    closed = pd.to_datetime(frame["closed_date"]).to_numpy(dtype="datetime64[D]")
    end = np.datetime64(period_end, "D")
    share = np.where(upheld, FOS_REFERRAL["upheld"], FOS_REFERRAL["not_upheld"])
    referred_on = closed + rng.integers(14, 120, n).astype("timedelta64[D]")
    referred = frame["closed_date"].notna().to_numpy() & (rng.random(n) < share) & (referred_on <= end)
    decided = referred & (referred_on <= end - np.timedelta64(FOS_DECIDED_AFTER_DAYS, "D"))
    blank = rng.random(n) < VULNERABILITY_BLANK_SHARE.get(profile.frn, 0.0)
    return {
        "vulnerable_customer": np.where(blank, None, frame["vulnerable_customer"].to_numpy()),
        "vulnerability_related": np.where(blank, None, frame["vulnerability_related"].to_numpy()),
        "handler": _maybe(frame["closed_date"].notna().to_numpy() | (rng.random(n) < 0.8), names[who]),
        "fos_referred_date": _maybe(referred, np.datetime_as_string(referred_on, unit="D").astype(object)),
        "fos_outcome": _maybe(decided, _choice(rng, FOS_OUTCOMES, n)),
    }


SAMPLE_MI_SETTINGS = {
    "100001": {
        "service_levels": {"default": {"weeks": 4}, "banking_credit_cards": {"business_days": 10}},
        "redress_plan": {"total": 9000, "banking_credit_cards": 5000},
        "authority_limits": {"default": 250, "handlers": {"H001-07": 1000}},
    },
    "100002": {"service_levels": {"default": {"business_days": 15}}, "authority_limits": {"default": 300}},
}
"""MI settings of the sample firms (docs/configuration.md "MI settings"); the others have none."""


def generate_redress(complaints: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Redress lines for closed complaints: most upheld ones are paid, a few rejected ones get goodwill."""
    rng = np.random.default_rng(seed + 1)
    closed = complaints[complaints["closed_date"].notna()]
    upheld = closed["outcome"].isin(["upheld", "partially_upheld"]).to_numpy()
    paid = closed[np.where(upheld, rng.random(len(closed)) < 0.7, rng.random(len(closed)) < 0.05)]
    n = len(paid)
    paying = paid["payment_service"].notna().to_numpy()
    types = np.where(
        paying & (rng.random(n) < 0.4),
        "payment_transaction_amount",
        np.where(
            paid["cmc_claim_type"].notna().to_numpy() & (rng.random(n) < 0.3),
            "fee_cap_refund",
            _choice(
                rng,
                {
                    "financial_loss": 0.45,
                    "distress_inconvenience": 0.3,
                    "goodwill": 0.15,
                    "interest_on_delay": 0.05,
                    "excess_waiver": 0.02,
                    "premium_refund_in_error": 0.03,
                },
                n,
            ),
        ),
    )
    amounts = np.round(np.exp(rng.normal(4.0, 1.2, n)), 2)
    return pd.DataFrame(
        {
            "complaint_id": paid["complaint_id"].to_numpy(),
            "firm_frn": paid["firm_frn"].to_numpy(),
            "paid_date": paid["closed_date"].to_numpy(),
            "redress_type": types,
            "amount": np.char.mod("%.2f", amounts),
        }
    )


def flag_goodwill_payments(complaints: pd.DataFrame, redress: pd.DataFrame) -> pd.DataFrame:
    """Set goodwill_payment to true on every complaint with a goodwill redress line, so flag and lines agree
    (DISP 1.10.3G(2): the flag decides whether a no_decision complaint counts as upheld)."""
    keys = ["firm_frn", "complaint_id"]
    goodwill = pd.MultiIndex.from_frame(redress.loc[redress["redress_type"] == "goodwill", keys])
    paid = pd.MultiIndex.from_frame(complaints[keys]).isin(goodwill)
    return complaints.assign(goodwill_payment=np.where(paid, "true", complaints["goodwill_payment"]))


def generate_context(profile: FirmProfile, period_end: dt.date, seed: int) -> pd.DataFrame:
    """Context figures at this period end: provision and intermediation per product, payment volumes per
    service, and the claims management leads, claims opened and fee-cap redress on the firm's own initiative."""
    rng = np.random.default_rng(seed + 2)
    groups = load_taxonomy().parents["part_a_products"]
    end = period_end.isoformat()
    rows = []
    for product, weight in profile.products.items():
        complaints = profile.complaints_per_half_year * weight
        rows.append((profile.frn, end, "provision", product, int(complaints * 1000 / rng.uniform(1.5, 7.0))))
        if groups[product] != "banking_credit_cards":
            rows.append((profile.frn, end, "intermediation", product, int(complaints * 1000 / rng.uniform(3.0, 60.0))))
    for service in profile.payment_services:
        rows.append((profile.frn, end, "payment_volume", service, int(rng.uniform(150, 9_000_000))))
    if profile.cmc_claim_types:
        rows += [
            (profile.frn, end, "cmc_leads", "", int(profile.complaints_per_half_year * 40)),
            (profile.frn, end, "cmc_claims_opened", "", int(profile.complaints_per_half_year * 12)),
            (profile.frn, end, "cmc_fee_cap_firm_initiated", "", 1234.5),
        ]
    return pd.DataFrame(rows, columns=["firm_frn", "period_end", "measure", "key", "value"])


def firm_config(profile: FirmProfile) -> dict:
    return {
        "frn": profile.frn,
        "name": profile.name,
        "trading_names": profile.trading_names,
        "accounting_reference_date": "12-31",
        "annual_reporter": profile.annual_reporter,
        "business_days": profile.business_days,
        "returns": profile.returns,
        "products": list(profile.products),
        "credit_activities": list(profile.credit_activities),
        "payment_services": list(profile.payment_services),
        "cmc_claim_types": list(profile.cmc_claim_types),
        "publication_consent": True,
        **({"mi": SAMPLE_MI_SETTINGS[profile.frn]} if profile.frn in SAMPLE_MI_SETTINGS else {}),
    }


def write_sample(
    folder: Path,
    profiles: list[FirmProfile] = SAMPLE_PROFILES,
    period_end: dt.date = SAMPLE_PERIOD_END,
    seed: int = SAMPLE_SEED,
    groups: list[dict] | None = None,
) -> dict[str, Path]:
    """Write config.yaml, complaints.csv, redress.csv and context.csv for the sample firms into `folder`."""
    groups = [SAMPLE_GROUP] if groups is None else groups
    folder.mkdir(parents=True, exist_ok=True)
    complaints = pd.concat(
        [generate_complaints(p, period_end, seed + i) for i, p in enumerate(profiles)], ignore_index=True
    )
    redress = generate_redress(complaints, seed)
    complaints = flag_goodwill_payments(complaints, redress)
    context = pd.concat([generate_context(p, period_end, seed + i) for i, p in enumerate(profiles)], ignore_index=True)
    paths = {name: folder / f"{name}.csv" for name in ("complaints", "redress", "context")}
    complaints.to_csv(paths["complaints"], index=False)
    redress.to_csv(paths["redress"], index=False)
    context.to_csv(paths["context"], index=False)
    paths["config"] = folder / "config.yaml"
    with open(paths["config"], "w", encoding="utf-8") as handle:
        handle.write("# Sample configuration written by reportkit.sample (synthetic firms).\n")
        yaml.safe_dump({"firms": [firm_config(p) for p in profiles], "groups": groups}, handle, sort_keys=False)
    return paths
