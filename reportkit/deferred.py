"""Modules a library imports at start but uses only inside functions reportkit never calls: loaded on first use.

great-expectations imports `altair` (to draw charts of its distribution expectations) and `scipy.stats` (for
their statistics) when it starts, in `expect_column_kl_divergence_to_be_less_than` and two metrics modules,
and uses them only inside those expectations' functions. No reportkit suite has such an expectation, yet the two
imports cost about 1.3 s of CPU in every process that validates, on the critical path of `validate` and `run`.

`defer_imports` (called by the reportkit command only, reportkit/cli.py: a Python user's process is left as it is)
puts a stand-in in `sys.modules` for each module not yet imported. The import statement then
binds the stand-in at no cost; the first attribute anything reads from it (`alt.Chart`, `stats.entropy`)
imports the real module and answers from it, so code that does use them still works, only later. Python's own
`importlib.util.LazyLoader` cannot do this on Python 3.11: the import statement reads the module's `__spec__`,
which makes a lazy module load at once.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
import types
from typing import Any

GREAT_EXPECTATIONS_UNUSED = ("altair", "scipy.stats")
"""What great-expectations imports at start and reportkit's suites never use (see the module's docstring)."""

_load_lock = threading.RLock()  # re-entrant: the real import may read a stand-in of the same thread


class DeferredModule(types.ModuleType):
    """Stands in `sys.modules` for a module until an attribute of it is first read, then imports it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        # The import statement looks at __spec__ (whether the module is still initialising): a plain spec with no
        # loader answers it without loading anything.
        self.__spec__ = importlib.machinery.ModuleSpec(name, None)

    def __getattr__(self, attribute: str) -> Any:
        # Only called for what the stand-in itself lacks: every public name, and dunders such as __path__ or
        # __file__ that a caller may look for.
        return getattr(self.real_module(), attribute)

    def real_module(self) -> types.ModuleType:
        """Import the module this stands in for (once), replacing the stand-in in `sys.modules`."""
        name = self.__name__
        with _load_lock:
            if sys.modules.get(name) is self:
                del sys.modules[name]
            module = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        if parent and getattr(sys.modules.get(parent), child, None) is self:
            setattr(sys.modules[parent], child, module)
        return module


def defer_imports(names: tuple[str, ...]) -> list[str]:
    """Put a stand-in in `sys.modules` for each of `names` not imported yet; returns the names deferred.

    A module already imported (by the user's own code, say) is left as it is.
    """
    deferred = []
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
            deferred.append(name)
    return deferred


def is_loaded(name: str) -> bool:
    """True when the real module `name` has been imported (not only its stand-in)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, DeferredModule)
