"""Per-operator C emitters, one module per core op (same names as core/ops).

Each module defines `emit(node, m, params)`: it adds the kernel call for `node` to the
`CModule` m, using `params` from the core op's prepare() so the C constants are the
reference's. An int8/int16 elementwise op without its own module is emitted as a lookup table
computed by the reference kernel itself (see `lut`).
"""
from __future__ import annotations

from types import ModuleType

from tinycc.backends import op_module


def get(op: str) -> ModuleType | None:
    return op_module(__name__, op)
