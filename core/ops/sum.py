"""SUM over the given axes, as TFLM's reduce kernels (EvalSumHelper).

Integer (int8, int16; reference_ops::QuantizedMeanOrSum with compute_sum): the int32 sum over the
reduced axes (wrapping, as TFLM's AddTensorValuesWithExpectedOverflow), minus n * zp_in (wrapped to
int32), rescaled by one double-rounding MultiplyByQuantizedMultiplier of QuantizeMultiplier(s_in /
s_out) in double (unlike MEAN, 1/n is not folded in), + zp_out, clamped to the dtype's range.
float32: ReduceGeneric adds the reduced elements to 0.0f in row-major order, in float32.
Refused: no axes, out-of-range axes, an output dtype other than the input's, more than 6 dimensions,
a rescale factor whose shift the kernels cannot apply (core/quant_limits.py).
"""
from __future__ import annotations

from tinycc.core.ops import _reduce, _tflite

NAME = "sum"
INPUTS, ATTRS, AXIS_ATTRS, infer = _reduce.INPUTS, _reduce.ATTRS, _reduce.AXIS_ATTRS, _reduce.infer
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def prepare(node, g):
    return _reduce.prepare_sum(node, g, DTYPES, mean=False)


def run(node, g, inputs, p):
    return _reduce.run_sum(node, g, inputs, p)


def macs(node, g):
    return g.tensors[node.inputs[0]].size


TFLITE = _tflite.TFLite("SUM", "ReducerOptions", operands=1, read=_reduce.read, write=_reduce.write)
