"""QLinearConcat (com.microsoft; Y_scale, Y_zp, then X, X_scale, X_zp per input): Concat between
DEQUANTIZE and QUANTIZE with the file's scales (inputs of other scales are requantised first)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 5


def convert(ctx, node, out, name):
    if (len(node.input) - 2) % 3:
        raise ctx.fail(node, f"{len(node.input)} inputs: expected Y_scale, Y_zero_point and (X, scale, zero point) "
                             "triples")
    xs = [_qlinear.activation(ctx, node, k) for k in range(2, len(node.input), 3)]
    _qlinear.run_float(ctx, node, "Concat", xs, 0, 1)
