"""Gather with constant indices on an activation: GATHER (int32 positions) on the axis mapped
to the tensor's layout; 1-D indices keep an NHWC-held 4-D tensor NHWC, other indices change the
rank, so the input goes back to NCHW first. Negative indices count from the end; indices out of
range are refused here. Gather on constants is folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._shapes import needs_constant, onnx_axis, onnx_shape, to_core_axis

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    if ctx.name(node.input[1]) not in ctx.const:
        raise needs_constant(ctx, node, "the indices of Gather")
    idx = np.asarray(ctx.const[ctx.name(node.input[1])])
    if idx.dtype.kind not in "iu":
        raise ctx.fail(node, f"the indices must be integers, not {idx.dtype}")
    shape = onnx_shape(ctx, node, node.input[0])
    axis = onnx_axis(ctx, node, len(shape))
    dim = shape[axis]
    if idx.size and (idx.min() < -dim or idx.max() >= dim):
        bad = int(idx.reshape(-1)[np.flatnonzero((idx.reshape(-1) < -dim) | (idx.reshape(-1) >= dim))[0]])
        raise ctx.fail(node, f"index {bad} is outside [{-dim}, {dim - 1}] (axis {axis} of the input {shape})")
    positions = np.where(idx < 0, idx.astype(np.int64) + dim, idx).astype(np.int32)
    x = ctx.value(node, node.input[0])
    if x in ctx.nchw and idx.ndim != 1:
        x = ctx.plain(node, node.input[0])
    pos = ctx.core_const(ctx.fresh(name + "/positions"), positions)
    ctx.emit(name, "gather", [x, pos], out, {"axis": to_core_axis(ctx, x, axis), "batch_dims": 0},
             nchw=x in ctx.nchw)
