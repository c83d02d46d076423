"""QLinearAveragePool (com.microsoft; X, x_scale, x_zp, y_scale, y_zp): AveragePool between
DEQUANTIZE and QUANTIZE with the file's scales; channels_last=1 is refused."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 4


def convert(ctx, node, out, name):
    _qlinear.run_float(ctx, node, "AveragePool", [_qlinear.activation(ctx, node, 0)], 3, 4)
