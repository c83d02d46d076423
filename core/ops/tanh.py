"""TANH. int8 as TFLM's reference_integer_ops::Tanh: input rescaled into Q4.27, gemmlowp
fixed-point tanh, output scale 1/128 and zero point 0; inputs beyond the radius saturate. int16 (zero
points 0, output scale 2^-15): TFLM's interpolated table (core/ops/_sigmoid_table.py)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _sigmoid_like, _sigmoid_table, _tflite, _unary

NAME = "tanh"
ONNX_OP = "Tanh"                  # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = _sigmoid_like.DTYPES
SIGNATURES = _sigmoid_like.SIGNATURES
ELEMENTWISE, IN_PLACE = True, "elementwise"
FIXED_OUTPUT_QUANT = (1.0 / 128, 0)        # int8 output (TFLite spec)
# where the fixed int8 output (1/128, zero point 0) reaches its extreme levels (half a step from them),
# widened by 10% for the integer kernels' own rounding
SATURATES_OUTSIDE = (1.1 * float(np.arctanh(-127.5 / 128)), 1.1 * float(np.arctanh(126.5 / 128)))
TFLITE = _tflite.TFLite("TANH")


def prepare(node, g):
    return _sigmoid_like.prepare(node, g, 1.0 / 128, 0, (0, 1))


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        return [np.tanh(x.astype(np.float32)).astype(np.float32)]
    if p["dtype"] == "int16":
        return [_sigmoid_table.tanh_s16(x, p["multiplier"], p["shift"])]
    return _sigmoid_like.run_int8(x, p, fp.tanh, 7, 0)
