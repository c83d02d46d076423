"""LOGISTIC: 1 / (1 + exp(-x)). int8 as TFLM's reference_integer_ops::Logistic: input rescaled
into Q4.27, gemmlowp fixed-point logistic, output scale 1/256 and zero point -128; inputs beyond
the radius saturate. int16 (zero points 0, output scale 2^-15): TFLM's interpolated table
(core/ops/_sigmoid_table.py). float32: the plain formula."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _sigmoid_like, _sigmoid_table, _tflite, _unary

NAME = "logistic"
ONNX_OP = "Sigmoid"               # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = _sigmoid_like.DTYPES
SIGNATURES = _sigmoid_like.SIGNATURES
ELEMENTWISE, IN_PLACE = True, "elementwise"
FIXED_OUTPUT_QUANT = (1.0 / 256, -128)     # int8 output (TFLite spec)
# where the fixed int8 output (1/256, zero point -128) reaches its extreme levels (half a step from them),
# widened by 10% for the integer kernels' own rounding
SATURATES_OUTSIDE = (1.1 * float(np.log(0.5 / 255.5)), 1.1 * float(np.log(254.5 / 1.5)))
TFLITE = _tflite.TFLite("LOGISTIC")


def prepare(node, g):
    return _sigmoid_like.prepare(node, g, 1.0 / 256, -128, (0,))


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        return [(1.0 / (1.0 + np.exp(-x.astype(np.float32)))).astype(np.float32)]
    if p["dtype"] == "int16":
        return [_sigmoid_table.sigmoid_s16(x, p["multiplier"], p["shift"])]
    return _sigmoid_like.run_int8(x, p, fp.logistic, 8, -128)
