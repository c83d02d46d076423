"""SQUARED_DIFFERENCE with broadcasting (at most 4 dimensions when broadcasting), as TFLM's
squared_difference.cc: (a - b)^2.

float32 in float32; int32 wrapping like TFLM's int32 subtract and multiply do on its hosts.
Quantised: each input (x - zp) << left_shift (7 for int8, 0 for int16) is rescaled into the common
scale 2*max(s1, s2) (QuantizeMultiplierSmallerThanOneExp), the difference squared in int32, rescaled
by (2*max)^2 / (2^(2*left_shift) * s_out) (QuantizeMultiplier), + output zp, clamped to the type.
int16 requires zero points 0 (TFLM's Prepare)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _compare, _tflite
from tinycc.core.ops import common as c

NAME = "squared_difference"
INPUTS = _compare.INPUTS
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("SQUARED_DIFFERENCE")
infer = _compare.infer_up_to(4)


def prepare(node, g):
    dtype = _compare.same_dtype(node, g, DTYPES)
    if dtype in ("int32", "float32"):
        return {"dtype": dtype}
    a, b = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    if out.dtype != dtype or out.quant is None:
        raise c.fail(node, f"output {out.name!r} must be quantised {dtype} like the inputs")
    if dtype == "int16":
        ql.require_int16_zero_point_0((a, b, out), "SQUARED_DIFFERENCE")
    left_shift = 7 if dtype == "int8" else 0
    twice = 2.0 * float(max(np.float32(a.quant.s), np.float32(b.quant.s)))
    m1, s1 = ql.rescale_below_one(float(np.float32(a.quant.s)) / twice,
                                  f"{ql.tensor_scale(a)} / (2 x the larger input scale)")
    m2, s2 = ql.rescale_below_one(float(np.float32(b.quant.s)) / twice,
                                  f"{ql.tensor_scale(b)} / (2 x the larger input scale)")
    denominator = float(np.float32(1 << (2 * left_shift)) * np.float32(out.quant.s))   # int * float in float32
    mo, so = ql.rescale(twice * twice / denominator,
                        f"(2 x the larger input scale)^2 / (2^{2 * left_shift} x {ql.tensor_scale(out)})")
    lo, hi = c.INT_RANGES[dtype]
    return {"dtype": dtype, "left_shift": left_shift, "input1_zp": int(a.quant.zp), "input2_zp": int(b.quant.zp),
            "output_zp": int(out.quant.zp), "input1_multiplier": m1, "input1_shift": s1,
            "input2_multiplier": m2, "input2_shift": s2, "output_multiplier": mo, "output_shift": so,
            "act_min": lo, "act_max": hi}


def run(node, g, inputs, p):
    a, b = _compare.broadcast_pair(*inputs)
    if p["dtype"] == "float32":
        d = a.astype(np.float32) - b.astype(np.float32)
        return [(d * d).astype(np.float32)]
    if p["dtype"] == "int32":
        d = fp.wrap32(a.astype(np.int64) - b.astype(np.int64))
        return [fp.wrap32(d * d).astype(np.int32)]
    x1 = fp.multiply_by_quantized_multiplier((a.astype(np.int64) - p["input1_zp"]) << p["left_shift"],
                                             p["input1_multiplier"], p["input1_shift"])
    x2 = fp.multiply_by_quantized_multiplier((b.astype(np.int64) - p["input2_zp"]) << p["left_shift"],
                                             p["input2_multiplier"], p["input2_shift"])
    d = x1 - x2
    y = fp.multiply_by_quantized_multiplier(fp.wrap32(d * d), p["output_multiplier"], p["output_shift"])
    return [np.clip(fp.wrap32(y + p["output_zp"]), p["act_min"], p["act_max"]).astype(p["dtype"])]
