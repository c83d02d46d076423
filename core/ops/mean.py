"""MEAN over the given axes, as TFLM's reduce kernels (EvalMeanHelper -> QuantizedMeanOrSum / Mean).

Integer (int8, int16): TFLM takes the same path whether or not input and output quantisation are
equal. The int32 sum over the reduced axes, minus n * zp_in (wrapped to int32), is rescaled by
one double-rounding MultiplyByQuantizedMultiplier whose multiplier folds s_in / s_out and 1 / n
together: (m, shift) = QuantizeMultiplier(s_in / s_out) in double, k = min(floor(log2 n), 32,
31 + shift), multiplier = (m << k) / n (int64 division), shift -= k; then + zp_out, clamped to
the dtype's range. There is no fused activation.
float32: a float32 sum accumulated in row-major order over the reduced elements (the order of
TFLM's Reduce loop, and of the 4-D axes (1, 2) special case), then divided by float(n); the
reference sums in that order, so it is bit-exact with TFLM.
Refused: no axes (TFLM then copies the raw input, ignoring the quantisation), out-of-range axes,
an output dtype other than the input's, inputs of more than 6 dimensions.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _reduce, _tflite

NAME = "mean"
INPUTS, ATTRS, AXIS_ATTRS, infer = _reduce.INPUTS, _reduce.ATTRS, _reduce.AXIS_ATTRS, _reduce.infer
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def prepare(node, g):
    return _reduce.prepare_sum(node, g, DTYPES, mean=True)


def run(node, g, inputs, p):
    def mean_f32(total):
        return total / np.float32(p["count"])
    return _reduce.run_sum(node, g, inputs, p, mean_f32)


def macs(node, g):
    return g.tensors[node.inputs[0]].size


TFLITE = _tflite.TFLite("MEAN", "ReducerOptions", operands=1, read=_reduce.read, write=_reduce.write)
