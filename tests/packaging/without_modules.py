"""Run a script or a module with some top-level modules made impossible to import, as in an install without them.

``python without_modules.py boto3,botocore,moto app.py ARGS...`` runs ``app.py``, and ``... -m package ARGS...``
runs a module, as ``python`` would; importing a blocked module (or any of its submodules) raises
``ModuleNotFoundError`` whatever is installed, because the first finder of ``sys.meta_path`` refuses it.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class Blocked:
    """A meta-path finder that refuses ``modules`` and their submodules, and leaves every other name to the rest."""

    def __init__(self, modules: frozenset[str]) -> None:
        self.modules = modules

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name.partition(".")[0] in self.modules:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: absent from this install)", name=name)
        return None


def main(argv: list[str]) -> None:
    blocked, *rest = argv
    sys.meta_path.insert(0, Blocked(frozenset(blocked.split(","))))
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
