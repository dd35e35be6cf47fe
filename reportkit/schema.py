"""Column declarations of the input files (schemas/*.yaml): presence, parsing, defaults and normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import pandas as pd
import yaml

from reportkit.distinct import map_category
from reportkit.paths import SCHEMAS_DIR


@dataclass(frozen=True)
class Column:
    name: str
    parse: str  # string | date | bool | money | number
    required: bool = False
    default: str | None = None
    personal_data: bool = False
    normalise: str | None = None
    """How values are normalised before they are validated or compared (a key of NORMALISERS), or None."""
    when_absent: str | None = None
    """For an optional column: what a file without it means, in words a run prints ("every complaint treated
    as from an eligible complainant"), so that a default is never used silently."""
    plain_text: bool = False
    """Values mostly of their own row (identifiers, amounts): read as plain text. Every other column is read as
    categories (each distinct value stored once), since it holds a few hundred dates or codes in millions of
    rows, and every rule decided per distinct value finds them already numbered."""


@dataclass(frozen=True)
class FileSchema:
    name: str
    columns: dict[str, Column]
    key: tuple[str, ...]
    one_of: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]

    @property
    def optional(self) -> list[str]:
        return [c.name for c in self.columns.values() if not c.required]

    @property
    def plain_text(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.plain_text]

    @property
    def personal_data(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.personal_data]

    def normalised(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with every column declared `normalise:` normalised (a new frame; the others are shared)."""
        columns = {
            c.name: NORMALISERS[c.normalise](frame[c.name])
            for c in self.columns.values()
            if c.normalise and c.name in frame.columns
        }
        return frame.assign(**columns) if columns else frame


def normalise_identifier(values: pd.Series) -> pd.Series:
    """An identifier compared without case and without spaces: upper case, every whitespace character removed,
    and missing when nothing is left ("abc 12345" -> "ABC12345", "qq 123456 c" -> "QQ123456C").

    Annex 1C keys advisers by IRN, NI number or passport number (DISP 1.10.2AR(3)); the same adviser typed
    two ways must be one adviser, so these are validated, grouped and written in this form.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # once per distinct identifier, not once per row
        names = pd.Series(values.cat.categories, dtype=object)
        return map_category(values, dict(zip(names, _normalised_text(names), strict=True)))
    return _normalised_text(values)


def _normalised_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    given = (text != "").fillna(False).astype(bool)
    return text.astype(object).where(given, None)


NORMALISERS: dict[str, Callable[[pd.Series], pd.Series]] = {"identifier": normalise_identifier}
"""The normalisations a schema column may declare with `normalise:`."""


@lru_cache(maxsize=None)
def load_schema(name: str) -> FileSchema:
    """Read schemas/<name>.yaml."""
    with open(SCHEMAS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    columns = {col: Column(name=col, **spec) for col, spec in raw["columns"].items()}
    return FileSchema(
        name=raw["name"], columns=columns, key=tuple(raw.get("key") or ()), one_of=tuple(raw.get("one_of") or ())
    )
