"""DISP 1 Annex 1AD: electronic money and payment services complaints return (DISP 1.10B)."""

from __future__ import annotations

import pandas as pd

from reportkit.aggregate import TableInput
from reportkit.layouts import load_layout
from reportkit.returns.common import (
    BuildInputs,
    ReturnResult,
    build_tables,
    document_shell,
    facts_for,
    group_header,
    is_nil,
    warning,
)

RETURN_CODE = "annex1ad"

MAX_PAYMENT_SERVICES = 5
"""DISP 1 Annex 1AA "Service groupings": "A PSP should provide information for up to a maximum of five payment
services"."""


def scoped(inputs: BuildInputs) -> pd.DataFrame:
    """Payment services and e-money complaints of the covered firms that Annex 1AD counts (DISP 1.1.3AD,
    1.10B.2G, 1.10B.3D): every payment service user, eligible or not; only complaints about issuing or
    redeeming e-money are limited to eligible complainants (DISP 1.1.3AD(2))."""
    frame = inputs.complaints
    return frame[frame["firm_frn"].isin(inputs.frns) & frame["in_scope_1ad"]]


def build_annex1ad(inputs: BuildInputs) -> ReturnResult:
    """Build Annex 1AD for the firms in `inputs` and its (annual) period."""
    layout = load_layout(RETURN_CODE)
    complaints = scoped(inputs)
    # DISP 1.10B.8G(4): the amount of the payment transaction itself is not redress here (counts_1ad).
    facts = facts_for(inputs, complaints, "1ad")
    opened = int(facts["opened"].sum())
    nil = is_nil(facts)
    document = document_shell(layout, inputs, nil)
    document["header"] = {
        **group_header(inputs),
        "nil_return": nil,
        "outstanding_at_start": None if nil else int(facts["outstanding_at_start"].sum()),
        "opened": None if nil else opened,
        "publication_consent": inputs.reporting_firm.publication_consent,  # DISP 1.10B.14G: asked on every return
    }
    fraud = complaints["app_fraud_role"].notna().to_numpy()
    data = {
        "payment": TableInput(complaints, facts, inputs.firms, inputs.period, inputs.context, nil),
        # Table 4 counts APP fraud complaints separately; they are already in Tables 1-3 (never added twice).
        "app_fraud": TableInput(complaints[fraud], facts[fraud], inputs.firms, inputs.period, inputs.context, nil),
    }
    document["tables"], lineage = build_tables(layout, list(layout.parts["all"]), data)
    declared = {code for firm in inputs.firms for code in firm.payment_services}
    warnings = [*more_than_five_services(document), *services_without_volume(document, declared)]
    return ReturnResult(document, lineage, pd.concat(warnings, ignore_index=True) if warnings else None)


def services_with_complaints(document: dict) -> list[str]:
    """Services reported with complaints, read from the built tables (never recounted): those whose Table 1
    row (complaints opened) or Table 2 row (complaints closed) is not blank (Annex 1AA blank rules)."""
    tables = document["tables"]
    reported = {
        code
        for key in ("1", "2")
        for code, cells in tables.get(key, {}).items()
        if any(value is not None for value in cells.values())
    }
    return [code for code in tables.get("1", {}) if code in reported]  # form order


def more_than_five_services(document: dict) -> list[pd.DataFrame]:
    """Warn when more than five payment services have complaints: Annex 1AA asks for up to a maximum of five,
    so the firm should check its service groupings ("other payment service" only in exceptional cases)."""
    services = services_with_complaints(document)
    if len(services) <= MAX_PAYMENT_SERVICES:
        return []
    return [
        warning(
            "more_than_five_payment_services",
            "1:payment_service",
            len(services),
            f"{len(services)} payment services have complaints in Annex 1AD ({', '.join(services)}); DISP 1 "
            f"Annex 1AA asks for up to a maximum of {MAX_PAYMENT_SERVICES}: check the service groupings",
            RETURN_CODE,
        )
    ]


def services_without_volume(document: dict, declared: set[str]) -> list[pd.DataFrame]:
    """Warn for each service with complaints whose Table 3 volume is blank: no `payment_volume` figure for it
    in the context for the period end (DISP 1 Annex 1AA: Table 3 gives the context of each service reported).
    A service the firms do not declare must be declared first: a context figure for it is an error."""
    volumes = document["tables"].get("3", {})
    end = document["period"]["end"]
    return [
        warning(
            "no_payment_volume",
            f"3:{code}",
            code,
            f"{code}: complaints reported but no payment_volume figure for the period ending {end}, so its "
            "Table 3 volume is blank; "
            + (
                f"add a context row (measure payment_volume, key {code})"
                if code in declared
                else f"add {code} to the firm's payment_services, then a context row (measure payment_volume, "
                f"key {code})"
            ),
            RETURN_CODE,
        )
        for code in services_with_complaints(document)
        if volumes.get(code, {}).get("volume") is None
    ]
