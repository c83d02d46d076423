"""QLinearSigmoid (com.microsoft; X, x_scale, x_zp, y_scale, y_zp): Sigmoid between
DEQUANTIZE and QUANTIZE with the file's scales (int8 LOGISTIC when the output scale is 1/256)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 4


def convert(ctx, node, out, name):
    _qlinear.run_float(ctx, node, "Sigmoid", [_qlinear.activation(ctx, node, 0)], 3, 4)
