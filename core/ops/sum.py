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

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _reduce, _tflite
from tinycc.core.ops import common as c

NAME = "sum"
INPUTS, ATTRS, AXIS_ATTRS, infer = _reduce.INPUTS, _reduce.ATTRS, _reduce.AXIS_ATTRS, _reduce.infer
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def prepare(node, g):
    dtype, axes, count = _reduce.check(node, g, DTYPES)
    p = {"dtype": dtype, "axes": axes, "count": count}
    if dtype == "float32":
        return p
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    m, shift = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    lo, hi = c.INT_RANGES[dtype]
    return {**p, "input_zp": int(x.quant.zp), "output_zp": int(out.quant.zp),
            "multiplier": int(m), "shift": int(shift), "act_min": lo, "act_max": hi}


def run(node, g, inputs, p):
    rows = _reduce.rows(inputs[0], p["axes"])
    out_shape = g.tensors[node.outputs[0]].shape
    if p["dtype"] == "float32":
        if rows.shape[1] == 0:
            return [np.zeros(out_shape, dtype=np.float32)]
        # cumsum adds strictly left to right in float32 (np.sum would sum pairwise)
        return [np.cumsum(rows.astype(np.float32), axis=1, dtype=np.float32)[:, -1].reshape(out_shape)]
    if rows.shape[1] == 0:
        return [np.zeros(out_shape, dtype=p["dtype"])]
    total = fp.wrap32(rows.astype(np.int64).sum(axis=1) - p["input_zp"] * p["count"])
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(total, p["multiplier"], p["shift"]) + p["output_zp"])
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"]).reshape(out_shape)]


def macs(node, g):
    return g.tensors[node.inputs[0]].size


TFLITE = _tflite.TFLite("SUM", "ReducerOptions", operands=1, read=_reduce.read, write=_reduce.write)
