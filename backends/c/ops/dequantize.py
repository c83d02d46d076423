"""C emitter for dequantize: (float)(scale * (x - zp)) with the scale as a double constant."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._unary_common import io


def emit(node, m, p):
    if p["dtype"] not in SUFFIX or m.g.tensors[node.inputs[0]].quant.per_channel:
        from tinycc.core.errors import TinyccError
        raise TinyccError("per-channel or int32 dequantisation runs at compile time only (constant folding)",
                          node=node.name, op=node.op)
    m.use_kernel("unary.h")
    x, y, n = io(node, m)
    m.emit(f"tinycc_dequantize_{SUFFIX[p['dtype']]}({n}, {x}, {y}, {float(p['scale'])!r}, {p['input_zp']});")
