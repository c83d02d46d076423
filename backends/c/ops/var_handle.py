"""C emitter for VAR_HANDLE: nothing (handles are resolved at compile time: backends/c/subgraphs.py)."""
from __future__ import annotations


def emit(node, m, p):
    m.emit("/* var_handle: the variable lives in the state buffer */")
