"""The microtvm backend's lowering, one module per core op (same names as core/ops and
backends/c/ops): the set of operators it lowers is the set of modules here, found by op name.

Each module defines `relax_op(relax, node, g, x, val)`: the node of a float32 graph as a Relax
expression (`x` is its first input, `val(name)` any tensor's Relax value), NHWC throughout.
A module whose operator TVM also builds for int8 models defines `te_int8(node, g, p)`: the
node's TVM tensor-expression PrimFunc(x, w, bias, mult, shift, y) with TF Lite Micro's
arithmetic and prepare()'s constants `p` (the int8 twin of the c emitter); int8 nodes of any
other operator fall back to the c backend's kernels.
"""
from __future__ import annotations

import pkgutil
from types import ModuleType

from tinycc.backends import op_module


def get(op: str) -> ModuleType | None:
    """This backend's module for `op`, or None (private helpers are no operators)."""
    return op_module(__name__, op)


def int8_twin(op: str) -> ModuleType | None:
    """The module building `op`'s int8 kernel with TVM, or None (the c kernel is used)."""
    module = get(op)
    return module if module is not None and hasattr(module, "te_int8") else None


def names() -> list[str]:
    """The operators lowered here (for messages)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
