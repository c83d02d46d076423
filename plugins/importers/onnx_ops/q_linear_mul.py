"""QLinearMul (com.microsoft; A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp): Mul between
DEQUANTIZE and QUANTIZE with the file's scales (TFLite's int8 MUL takes each scale)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 7


def convert(ctx, node, out, name):
    _qlinear.run_float(ctx, node, "Mul", [_qlinear.activation(ctx, node, 0), _qlinear.activation(ctx, node, 3)], 6, 7)
