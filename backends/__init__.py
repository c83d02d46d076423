"""tinycc.backends: code generators, each a plugin registered through the `tinycc` entry-point group."""
from __future__ import annotations

import importlib
from types import ModuleType


def op_module(package: str, op: str) -> ModuleType | None:
    """The module `package.op` of a backend's per-operator folder (`backends/<b>/ops/<op>.py`), or
    None when there is none; names starting with `_` are helpers, never operators. An import error
    inside an existing module is raised, not taken for a missing one."""
    if op.startswith("_"):
        return None
    try:
        return importlib.import_module(f"{package}.{op}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{package}.{op}":
            return None
        raise
