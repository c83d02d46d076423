"""QLinearAdd (com.microsoft; A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp): Add between
DEQUANTIZE and QUANTIZE with the file's scales (TFLite's int8 ADD rescales each operand)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 7


def convert(ctx, node, out, name):
    _qlinear.run_float(ctx, node, "Add", [_qlinear.activation(ctx, node, 0), _qlinear.activation(ctx, node, 3)], 6, 7)
