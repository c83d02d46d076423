"""QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) with a constant b: MatMul
between DEQUANTIZE and QUANTIZE with the file's scales (per-column b scales allowed)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 8


def convert(ctx, node, out, name):
    a = _qlinear.activation(ctx, node, 0)
    b = _qlinear.weight(ctx, node, 3, 1)
    _qlinear.run_float(ctx, node, "MatMul", [a, b], 6, 7)
