"""QuantizeLinear of an activation: QUANTIZE to int8 or int16 (per tensor). uint8 (onnxruntime's
QUInt8) becomes int8 exactly: the zero point shifted by 128 (q - 128 for every value)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    scale = _qlinear.scale_of(ctx, node, node.input[1], "QuantizeLinear scale")
    zp, dtype = _qlinear.zero_point(ctx, node, node.input[2] if len(node.input) > 2 else "", "zero point")
    _qlinear.quantize(ctx, node, x, out, name, scale, zp, dtype)
