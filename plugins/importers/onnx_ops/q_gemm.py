"""QGemm (com.microsoft; A, a_scale, a_zp, B, b_scale, b_zp, C, y_scale, y_zp) with a constant B
and an int32 C: Gemm between DEQUANTIZE and QUANTIZE with the file's scales; without y_scale the
output stays float."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import _qlinear

MIN_INPUTS = 6


def convert(ctx, node, out, name):
    a = _qlinear.activation(ctx, node, 0)
    b = _qlinear.weight(ctx, node, 3, 0 if int(ctx.attr(node, "transB", 0)) else 1)
    inputs = [a, b]
    if len(node.input) > 6 and node.input[6]:
        a_scale = _qlinear.scale_of(ctx, node, node.input[1], "a_scale")
        inputs.append(_qlinear.bias(ctx, node, node.input[6], a_scale, ctx.dq_const[b][1]))
    _qlinear.run_float(ctx, node, "Gemm", inputs, 7, 8)
