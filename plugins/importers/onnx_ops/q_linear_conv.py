"""QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): Conv between DEQUANTIZE and
QUANTIZE with the file's scales (per-channel weights on the output axis), folded to int8 later."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 8


def convert(ctx, node, out, name):
    x = _qlinear.activation(ctx, node, 0)
    w = _qlinear.weight(ctx, node, 3, 0)
    inputs = [x, w]
    if len(node.input) > 8 and node.input[8]:
        x_scale = _qlinear.scale_of(ctx, node, node.input[1], "x_scale")
        inputs.append(_qlinear.bias(ctx, node, node.input[8], x_scale, ctx.dq_const[w][1]))
    _qlinear.run_float(ctx, node, "Conv", inputs, 6, 7)
