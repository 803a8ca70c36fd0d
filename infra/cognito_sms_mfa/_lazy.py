"""Public names imported on first use (PEP 562), so that importing a package loads none of its heavy parts."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each name in ``homes`` comes from its module when first used.

    Examples
    --------
    >>> __getattr__, __dir__ = lazy_exports("demo", {"sqrt": "math"})
    >>> __getattr__("sqrt")(9.0)
    3.0
    """

    def getattr_(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home), name)

    def dir_() -> list[str]:
        return sorted(homes)

    return getattr_, dir_
