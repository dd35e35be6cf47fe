"""The settings a run actually uses, in words: what `reportkit validate` and `reportkit run` print.

A figure depends on the year end, the bank-holiday calendar, the returns owed, the declared products, the
redress basis and the defaults used for absent optional columns. None of these may be used without the
reviewer being told, so each is printed: once for what a group's members share, then one line per member
that differs (a member differs on a setting when its value is not the one most members have).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections import Counter
from typing import Callable

from reportkit.config import Config, Firm, Group
from reportkit.extract import columns_found
from reportkit.mapping import mapping_lines
from reportkit.schema import load_schema
from reportkit.validation.validate import TextInputs

NATION_NAMES: dict[str, str] = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}
"""The bank-holiday calendars (config key business_days) by name, for the settings line."""

DECLARED: tuple[tuple[str, str], ...] = (
    ("products", "products declared"),
    ("credit_activities", "credit activities declared"),
    ("payment_services", "payment services declared"),
    ("cmc_claim_types", "CMC claim types declared"),
)
"""Firm attributes that list declared codes, and their label. Products are always shown; the others only
when some firm in view declares any (a firm without a Part B permission has nothing to say there)."""


def year_end(firm: Firm) -> str:
    """The firm's year end in words: "31 March", or 31 December for a firm with `calendar_year: true`."""
    ard = firm.ard
    text = f"{ard.day} {_stdlib_calendar.month_name[ard.month]}"
    if firm.accounting_reference_date is None:
        text += " (calendar_year: true, no accounting reference date)"
    return text


def firm_settings(firm: Firm, config: Config, labels: list[tuple[str, str]]) -> dict[str, str]:
    """Setting label -> value in words for one firm, in the order they are printed."""
    settings = {
        "year end": year_end(firm),
        "reporting": "annual (DISP 1.10.1R(2))" if firm.annual_reporter else "half-yearly",
        "bank holidays": f"{firm.business_days} ({NATION_NAMES.get(firm.business_days, firm.business_days)})",
        "returns owed": ", ".join(firm.returns) or "none",
    }
    for attribute, label in labels:
        settings[label] = ", ".join(getattr(firm, attribute)) or "none"
    settings["redress attribution"] = config.redress_attribution
    return settings


def _declared_labels(firms: list[Firm]) -> list[tuple[str, str]]:
    return [(a, label) for a, label in DECLARED if a == "products" or any(getattr(f, a) for f in firms)]


def _joined(settings: dict[str, str]) -> str:
    return "; ".join(f"{label} {value}" for label, value in settings.items())


def _firm_name(firm: Firm) -> str:
    return f"firm {firm.frn} ({firm.name})"


def firm_line(firm: Firm, config: Config) -> str:
    """One line: every setting of a firm reported on its own."""
    return f"settings for {_firm_name(firm)}: {_joined(firm_settings(firm, config, _declared_labels([firm])))}"


def group_lines(group: Group, config: Config) -> list[str]:
    """A group's settings: one line of what its members share, then one line per member that differs.

    The shared value of a setting is the one most members have (on a tie, the reporting firm's), so a group
    with one odd member prints the common settings once and one line for that member.
    """
    order = [group.reporting_firm, *[m for m in group.members if m != group.reporting_firm]]
    members = [config.firm(frn) for frn in order]
    labels = _declared_labels(members)
    each = {firm.frn: firm_settings(firm, config, labels) for firm in members}
    shared = {}
    for label in each[group.reporting_firm]:
        values = [each[frn][label] for frn in order]
        counts = Counter(values)
        shared[label] = max(values, key=lambda v: (counts[v], -values.index(v)))
    lines = [
        f"settings for group {group.id} (members {', '.join(group.members)}; reporting firm {group.reporting_firm}; "
        f"reported jointly {', '.join(group.returns)}): {_joined(shared)}"
    ]
    for firm in members:
        differs = {label: value for label, value in each[firm.frn].items() if value != shared[label]}
        if differs:
            lines.append(f"  {_firm_name(firm)} differs: {_joined(differs)}")
    return lines


def config_lines(config: Config, entity: str | None = None) -> list[str]:
    """The settings lines of `entity` (a firm's FRN or a group id), or of every group and every firm in no group."""
    if entity is not None:
        if entity in config.groups:
            return group_lines(config.groups[entity], config)
        return [firm_line(config.firm(entity), config)]
    lines = [line for group in config.groups.values() for line in group_lines(group, config)]
    grouped = {frn for group in config.groups.values() for frn in group.members}
    lines += [firm_line(firm, config) for frn, firm in config.firms.items() if frn not in grouped]
    return lines


def absent_column_lines(inputs: TextInputs) -> list[str]:
    """One line per optional column an input lacks, with what that means (schemas/*.yaml `when_absent:`)."""
    lines = []
    for frame, name, schema in (
        (inputs.complaints, inputs.complaints_name, "complaints"),
        (inputs.redress, inputs.redress_name, "redress"),
        (inputs.context, inputs.context_name, "context"),
    ):
        if frame is None:
            continue
        if not len(frame):  # said before any figure: every return built from it is nil (validation warns too)
            lines.append(f"{name}: a header but no rows: it contributes nothing")
        columns = load_schema(schema).columns
        lines += [f"{name}: {c} absent: {columns[c].when_absent}" for c in columns_found(frame).absent]
    return lines


def settings_lines(config: Config, inputs: TextInputs, entity: str | None = None) -> list[str]:
    """Everything a figure depends on that the user did not spell out in the rows: configuration settings,
    then what a mapping did to each file, then the absent optional columns and the default used for each."""
    mapped = [
        line
        for frame, label in ((inputs.complaints, inputs.complaints_name), (inputs.redress, inputs.redress_name))
        for line in mapping_lines(frame, label)
    ]
    return config_lines(config, entity) + mapped + absent_column_lines(inputs)


def print_settings(config: Config, inputs: TextInputs, entity: str | None, progress: Callable[[str], None]) -> None:
    """Tell `progress` (the CLI: stderr, beside the step lines) each settings line, before any figure is made."""
    for line in settings_lines(config, inputs, entity):
        progress(line)
