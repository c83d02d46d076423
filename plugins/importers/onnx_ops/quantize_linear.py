"""QuantizeLinear of an activation: QUANTIZE to int8 or int16 (per tensor)."""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Node, Quant, Tensor

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    scale = np.atleast_1d(ctx.get_const(node, node.input[1], "QuantizeLinear scale")).astype(np.float32)
    zp_raw = ctx.const.get(ctx.name(node.input[2])) if len(node.input) > 2 and node.input[2] else None
    dtype = "uint8" if zp_raw is None else str(np.asarray(zp_raw).dtype)
    if dtype not in ("int8", "int16"):
        raise ctx.fail(node, f"activations quantised as {dtype} are not supported (TFLite kernels are signed)",
                       hint="quantize_static(..., activation_type=QuantType.QInt8)")
    if scale.size > 1:
        raise ctx.fail(node, "per-channel activation quantisation is not supported")
    nchw = x in ctx.nchw
    if nchw and out in ctx.graph_outputs:
        raise ctx.fail(node, "a quantised 4-D model output is not supported yet", hint="dequantize the output")
    ctx.tensors[out] = Tensor(out, (), dtype, Quant(scale, np.atleast_1d(zp_raw).astype(np.int64)))
    if nchw:
        ctx.nchw.add(out)
    ctx.nodes.append(Node(name, "quantize", [x], [out]))
