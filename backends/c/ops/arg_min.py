"""C emitter for arg_min: one call of arg_min_max.h's kernel over (outer, size, inner)."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX


def emit(node, m, p):
    m.use_kernel("arg_min_max.h")
    m.emit(f"tinycc_{node.op}_{SUFFIX[p['dtype']]}({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, "
           f"{p['outer']}, {p['size']}, {p['inner']});")
