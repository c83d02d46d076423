"""Gemm (alpha 1, no transA) with a constant B: FULLY_CONNECTED; C must be a per-unit bias
(scaled by beta)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._fully_connected import fully_connected

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    a = ctx.plain(node, node.input[0])
    if float(ctx.attr(node, "alpha", 1.0)) != 1.0 or ctx.attr(node, "transA", 0):
        raise ctx.fail(node, "Gemm with alpha != 1 or transA is not supported")
    w = ctx.get_const(node, node.input[1], "Gemm B")
    if w.ndim != 2:
        raise ctx.fail(node, f"Gemm B must be 2-D, got shape {w.shape}")
    trans_b = bool(ctx.attr(node, "transB", 0))
    units = w.shape[0] if trans_b else w.shape[1]
    bias_name = None
    if len(node.input) > 2 and node.input[2]:
        c = ctx.get_const(node, node.input[2], "Gemm C").astype(np.float32)
        beta = float(ctx.attr(node, "beta", 1.0))
        if (c.ndim > 1 and c.shape[0] != 1) or c.size not in (1, units):
            raise ctx.fail(node, f"Gemm C of shape {c.shape} is not a per-unit bias")
        if ctx.name(node.input[2]) in ctx.dq_const and beta == 1.0 and c.size == units:
            bias_name = node.input[2]
        else:
            bias_name = ctx.core_const(ctx.fresh(name + "/c"), np.broadcast_to(c.reshape(-1) * beta, (units,)).copy())
            ctx.const[bias_name] = ctx.tensors[bias_name].data
    fully_connected(ctx, node, out, name, a, node.input[1], trans_b, bias_name)
