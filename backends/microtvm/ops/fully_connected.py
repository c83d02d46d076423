"""fully_connected: a Relax matmul (float) and the int8 twin's tensor expression (TF Lite
Micro's arithmetic with per-tensor or per-channel requantisation)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.microtvm.ops._common import activation
from tinycc.backends.microtvm.ops._fixedpoint import requant


def relax_op(relax, node, g, x, val):
    a = node.attrs
    w = g.tensors[node.inputs[1]].data.astype(np.float32)
    rows = g.tensors[node.inputs[0]].size // w.shape[1]
    y = relax.op.matmul(relax.op.reshape(x, (rows, w.shape[1])), relax.const(np.ascontiguousarray(w.T)))
    if len(node.inputs) > 2 and node.inputs[2] is not None:
        y = relax.op.add(y, val(node.inputs[2]))
    y = activation(relax, y, a["activation"])
    return relax.op.reshape(y, g.tensors[node.outputs[0]].shape)


def te_int8(node, g, p):
    """PrimFunc(x, w, bias, mult, shift, y) for an int8 fully_connected node (y: rows x units)."""
    from tvm import te
    from tvm import tirx as tir
    w_t = g.tensors[node.inputs[1]]
    units, depth = w_t.shape
    rows = g.tensors[node.inputs[0]].size // depth
    x = te.placeholder((rows, depth), "int8", name="x")
    wt = te.placeholder((units, depth), "int8", name="w")
    bias = te.placeholder((units,), "int32", name="bias")
    mult = te.placeholder((units,), "int32", name="mult")
    shift = te.placeholder((units,), "int32", name="shift")
    k = te.reduce_axis((0, depth), name="k")
    izp, wzp = int(p["input_zp"]), int(p["weights_zp"])
    acc = te.compute((rows, units), lambda r, u: te.sum(
        (tir.Cast("int32", x[r, k]) - izp) * (tir.Cast("int32", wt[u, k]) - wzp), axis=[k]), name="acc")
    per_channel = len(p["multiplier"]) > 1
    y = te.compute((rows, units), lambda r, u: requant(
        tir, acc[r, u] + bias[u], mult[u if per_channel else 0], shift[u if per_channel else 0], p), name="y")
    return te.create_prim_func([x, wt, bias, mult, shift, y])
