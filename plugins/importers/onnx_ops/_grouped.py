"""Shared by Conv and ConvTranspose: a grouped convolution as one core convolution per group between
a SLICE of its input channels and a CONCATENATION of the groups' outputs (float weights: a QDQ
weight is dequantised before)."""
from __future__ import annotations

import numpy as np


def per_group(ctx, node, out, name, x, op: str, weights: list[np.ndarray], bias_what: str, attrs: dict,
              concat_name: str) -> str:
    """One `op` node per group k: its input channels sliced from `x`, its weight `weights[k]` (OHWI,
    the core op's layout) and its slice of the ONNX node's bias (input 2, (Cout,) already checked;
    `bias_what` in messages), concatenated along channels into `out` by a node named `concat_name`."""
    ci_g = ctx.channels(x) // len(weights)
    b = ctx.get_const(node, node.input[2], bias_what) if len(node.input) > 2 and node.input[2] else None
    shape = ctx.infer_shape(x)
    parts = []
    for k, w in enumerate(weights):
        co_g = w.shape[0]
        part = ctx.emit(f"{name}/group{k}/slice", "slice", [x], ctx.fresh(f"{out}/group{k}/in"),
                        {"begin": (0, 0, 0, k * ci_g), "size": (*shape[:3], ci_g)}, nchw=True)
        wk = ctx.core_const(ctx.fresh(f"{name}/group{k}/weight"), w)
        bk = None if b is None else ctx.core_const(ctx.fresh(f"{name}/group{k}/bias"), b[k * co_g:(k + 1) * co_g])
        parts.append(ctx.emit(f"{name}/group{k}", op, [part, wk, bk], ctx.fresh(f"{out}/group{k}"), attrs,
                              nchw=True))
    return ctx.emit(concat_name, "concatenation", parts, out, {"axis": 3}, nchw=True)
