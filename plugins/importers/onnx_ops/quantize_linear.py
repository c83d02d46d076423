"""QuantizeLinear of an activation: QUANTIZE to int8 or int16 (per tensor). uint8 (onnxruntime's
QUInt8) becomes int8 exactly: the zero point shifted by 128 (q - 128 for every value)."""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Node, Quant, Tensor
from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    scale = np.atleast_1d(ctx.get_const(node, node.input[1], "QuantizeLinear scale")).astype(np.float32)
    zp, dtype = _qlinear.zero_point(ctx, node, node.input[2] if len(node.input) > 2 else "", "zero point")
    if scale.size > 1:
        raise ctx.fail(node, "per-channel activation quantisation is not supported")
    nchw = x in ctx.nchw
    if nchw and out in ctx.graph_outputs:
        raise ctx.fail(node, "a quantised 4-D model output is not supported yet", hint="dequantize the output")
    ctx.tensors[out] = Tensor(out, (), "int16" if dtype == "int16" else "int8", Quant(scale, zp))
    if nchw:
        ctx.nchw.add(out)
    ctx.nodes.append(Node(name, "quantize", [x], [out]))
