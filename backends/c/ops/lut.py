"""Fallback emitter for int8 elementwise unary ops: a 256-entry table made by the reference kernel.

The table is the reference kernel applied to every possible input byte, so the C output is
bit-identical to the reference by construction.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import ops


def applies(node, g) -> bool:
    """An int8 -> int8 node of a one-input operator with the ELEMENTWISE trait (core/ops)."""
    op = ops.get(node.op)
    if op is None or not ops.trait(node.op, "elementwise") or len(op.INPUTS) != 1 \
            or len([i for i in node.inputs if i is not None]) != 1:
        return False
    return g.tensors[node.inputs[0]].dtype == "int8" and g.tensors[node.outputs[0]].dtype == "int8"


def table(node, g, p) -> np.ndarray:
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    probe_in = np.arange(-128, 128, dtype=np.int8)
    saved = (x.shape, y.shape)
    x.shape, y.shape = (256,), (256,)      # the kernels are elementwise: run them on all 256 values at once
    try:
        op = ops.get(node.op)
        assert op is not None, node.op          # tables are made for registered operators only
        out = op.run(node, g, [probe_in], p)[0]
    finally:
        x.shape, y.shape = saved
    return np.asarray(out, dtype=np.int8).reshape(256)


def emit(node, m, p):
    lut = m.const_array(table(node, m.g, p), "lut", comment=f"{node.op} table of {node.name}")
    m.use_kernel("lut.h")
    n = m.g.tensors[node.inputs[0]].size
    m.emit(f"tinycc_lut_s8({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {lut}, {n});")
