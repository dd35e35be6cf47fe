"""Formula cells of a workbook that hold no saved value.

A workbook stores each formula beside the value it last calculated. One written by a program that does not
calculate (a script's export library, a case system's report writer) stores the formula alone, and every
reader, ours included, then sees an empty cell: a closing date or an FRN that is a formula would silently
become "still open" or "no firm". Such cells are found in the sheet's XML, where the reader cannot see them.

A cell's formula comes first, then its value. The value is missing when there is no value element or it is
empty (`<v/>` or `<v></v>`, as writers without calculation leave it), except in a cell of type `t="str"`, whose
empty value is a formula's result of empty text (Excel saves `=IF(A1="","",A1)` so).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
ATTRIBUTE = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
OFFICE_DOCUMENT = "/officeDocument"
"""How the package's own relationships (_rels/.rels) name the workbook part (its type ends so)."""
NO_VALUE = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*"  # the cell's start tag, its attributes captured
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"  # its formula, first in the cell
    rb"(?:<(?:\w+:)?v\s*/>\s*|<(?:\w+:)?v>\s*</(?:\w+:)?v>\s*)?"  # no value, or an empty one
    rb"</(?:\w+:)?c>"
)
"""A formula cell with no value element or an empty one (whether that is a missing value depends on its type)."""
FORMULA_ENDS = (b"/f>", b":f>")
"""Every formula element but a shared formula's followers (`<f .../>`, whose leader is in the same sheet) ends in
`</f>` (`</x:f>` with a prefix): a sheet without these holds no formula."""
CHUNK = 16 * 1024 * 1024
"""How much of a sheet's XML is searched at a time for a formula (a large sheet is never held whole for it)."""


@dataclass(frozen=True)
class UncalculatedCells:
    """The formula cells of a sheet with no saved value: how many, and the first few references (`D7`)."""

    count: int
    first: list[str]


SHOWN = 5
"""How many cell references a message names."""


def _attributes(tag: bytes) -> dict[str, str]:
    """A tag's attributes by local name (`r:id` -> `id`), entities resolved (`R&amp;D` -> `R&D`)."""
    found = {}
    for name, double, single in ATTRIBUTE.findall(tag):
        value = (double or single).decode("utf-8", "replace")
        found[name.decode("utf-8", "replace").split(":")[-1]] = html.unescape(value)
    return found


def _targets(book: zipfile.ZipFile, relationships: str) -> list[dict[str, str]]:
    try:
        return [_attributes(tag) for tag in RELATIONSHIP.findall(book.read(relationships))]
    except KeyError:
        return []


def _resolved(base: str, target: str) -> str:
    """A relationship's target as a zip member name: absolute targets from the package root, the others from the
    folder of the part that names them."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _sheet_part(book: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The zip member of the sheet named `sheet` (the first sheet when None), or None when the workbook's
    parts do not say (the reader then reports the workbook as it finds it)."""
    package = _targets(book, "_rels/.rels")
    named = [t["Target"] for t in package if t.get("Type", "").endswith(OFFICE_DOCUMENT) and t.get("Target")]
    workbook = _resolved("", named[0]) if named else "xl/workbook.xml"
    try:
        sheets = [_attributes(tag) for tag in SHEET.findall(book.read(workbook))]
    except KeyError:
        return None
    chosen = next((s for s in sheets if sheet is None or s.get("name") == sheet), None)
    if chosen is None or "id" not in chosen:
        return None
    base = posixpath.dirname(workbook)
    relationships = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    target = next((t.get("Target") for t in _targets(book, relationships) if t.get("Id") == chosen["id"]), None)
    return _resolved(workbook, target) if target else None


def _has_formula(book: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds a formula, read a chunk at a time."""
    tail = b""
    with book.open(part) as xml:
        while chunk := xml.read(CHUNK):
            window = tail + chunk
            if any(end in window for end in FORMULA_ENDS):
                return True
            tail = window[-8:]
    return False


def uncalculated_formulas(data: bytes, sheet: str | None) -> UncalculatedCells:
    """The formula cells of the workbook's `sheet` (its first when None) that hold no saved value."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            part = _sheet_part(book, sheet)
            if part is None or not _has_formula(book, part):  # the usual export: no formula at all
                return UncalculatedCells(0, [])
            xml = book.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return UncalculatedCells(0, [])  # the reader reports a damaged workbook in its own words
    count, first = 0, []
    for found in NO_VALUE.finditer(xml):
        attributes = _attributes(found.group(1))
        if attributes.get("t") == "str" and _has_value_element(found.group(0)):
            continue  # a formula whose result is the empty text
        count += 1
        if len(first) < SHOWN:
            first.append(attributes.get("r", "?"))
    return UncalculatedCells(count, first)


VALUE_ELEMENT = re.compile(rb"<(?:\w+:)?v[\s/>]")


def _has_value_element(cell: bytes) -> bool:
    return VALUE_ELEMENT.search(cell) is not None
