"""Column declarations of the input files (schemas/*.yaml): presence, parsing and defaults."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from reportkit.paths import SCHEMAS_DIR


@dataclass(frozen=True)
class Column:
    name: str
    parse: str  # string | date | bool | money | number
    required: bool = False
    default: str | None = None
    personal_data: bool = False


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
    def personal_data(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.personal_data]


@lru_cache(maxsize=None)
def load_schema(name: str) -> FileSchema:
    """Read schemas/<name>.yaml."""
    with open(SCHEMAS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    columns = {col: Column(name=col, **spec) for col, spec in raw["columns"].items()}
    return FileSchema(
        name=raw["name"], columns=columns, key=tuple(raw.get("key") or ()), one_of=tuple(raw.get("one_of") or ())
    )
