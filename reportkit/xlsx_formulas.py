"""Formula cells of a workbook that hold no saved value.

A workbook stores each formula beside the value it last calculated. One written by a program that does not
calculate (a script's export library, a case system's report writer) stores the formula alone, and every
reader, ours included, then sees an empty cell: a closing date or an FRN that is a formula would silently
become "still open" or "no firm". Such cells are found in the sheet's XML, where the reader cannot see them.

A saved value is a `<v>...</v>` element, even an empty one (a formula whose result is the empty text); a cell
with a formula and no value element, or an empty `<v/>`, has none.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
NO_VALUE = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>\s*)?</(?:\w+:)?c>")
"""A formula element followed by the end of its cell, with no value element between or only an empty `<v/>`
(in a cell the formula comes first, then its value)."""
CELL_START = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")


@dataclass(frozen=True)
class UncalculatedCells:
    """The formula cells of a sheet with no saved value: how many, and the first few references (`D7`)."""

    count: int
    first: list[str]


SHOWN = 5
"""How many cell references a message names."""

CELL_REACH = 4096
"""How far before a formula its cell's start tag is looked for (a cell's attributes are a few dozen bytes)."""


def _attributes(tag: bytes) -> dict[str, str]:
    found = {}
    for name, value in ATTRIBUTE.findall(tag):
        found[name.decode("utf-8", "replace").split(":")[-1]] = value.decode("utf-8", "replace")
    return found


def _sheet_part(book: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip member of the sheet named `sheet` (the first sheet when None), or None when the workbook's
    parts do not say (the reader then reports the workbook as it finds it)."""
    try:
        workbook = book.read("xl/workbook.xml")
        relationships = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = [_attributes(tag) for tag in SHEET.findall(workbook)]
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None or "id" not in chosen:
        return None
    targets = {a.get("Id"): a.get("Target", "") for a in map(_attributes, RELATIONSHIP.findall(relationships))}
    target = targets.get(chosen["id"])
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def uncalculated_formulas(data: bytes, sheet: str | None) -> UncalculatedCells:
    """The formula cells of the workbook's `sheet` (its first when None) that hold no saved value."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            part = _sheet_part(book, sheet)
            xml = book.read(part) if part is not None else b""
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return UncalculatedCells(0, [])  # the reader reports a damaged workbook in its own words
    # The usual export has no formula: every formula element but a shared formula's followers (`<f .../>`, whose
    # leader is in the same sheet) ends in `</f>` (`</x:f>` with a prefix), so two plain searches decide it.
    if b"/f>" not in xml and b":f>" not in xml:
        return UncalculatedCells(0, [])
    count, first = 0, []
    for found in NO_VALUE.finditer(xml):
        count += 1
        if len(first) < SHOWN:
            starts = CELL_START.findall(xml, max(0, found.start() - CELL_REACH), found.start())
            first.append(_attributes(starts[-1]).get("r", "?") if starts else "?")
    return UncalculatedCells(count, first)
