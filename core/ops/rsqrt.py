"""RSQRT: 1 / sqrt(x). float32 (1.f / std::sqrt(x)); int8 as TFLM's RsqrtEvalQuantized: for
v = x - zp_in > 0, GetInvSqrtQuantizedMultiplierExp(v) (a fixed-point Newton-Raphson), applied to 1
with 20 extra bits, then MultiplyByQuantizedMultiplier(1 / (sqrt(s_in) * s_out), in double) back,
plus zp_out, clamped; v == 0 gives the type's max. int16 (zero points 0) likewise. TFLM fails the
whole invoke on an input below its zero point ("only defined for positive values"); tinycc gives the
max there too."""
from __future__ import annotations

import math

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _map, _tflite, _unary
from tinycc.core.ops import common as c

NAME = "rsqrt"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8", "int16")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
ELEMENTWISE, IN_PLACE = True, "elementwise"
TFLITE = _tflite.TFLite("RSQRT")
EXTRA_BITS = 20          # TFLM's kShift: bits kept while applying 1/sqrt(v) to 1
MIN_SHIFT = -31 + EXTRA_BITS      # a smaller shift would make TFLM's RoundingDivideByPOT shift by more than 31


def prepare(node, g):
    dtype = _map.check_types(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    for t in (x, out):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} is {dtype} but has no quantisation parameters")
    if dtype == "int16":
        ql.require_int16_zero_point_0((x, out), "RSQRT")
    real = 1.0 / (math.sqrt(float(x.quant.s)) * float(out.quant.s))
    what = f"1 / (sqrt({ql.tensor_scale(x)}) x {ql.tensor_scale(out)})"
    m, s = ql.rescale(real, what)
    if m != 0 and s < MIN_SHIFT:
        raise c.fail(node, f"the rescale factor {what} = {real:.6g} is too small: TFLM's kernel would shift "
                           f"right by {EXTRA_BITS - s} bits (at most 31)", hint=ql.SCALE_HINT)
    return {"dtype": dtype, "input_zp": x.quant.zp, "output_zp": out.quant.zp, "multiplier": m, "shift": s}


def quantized(x: np.ndarray, p: dict) -> np.ndarray:
    """RsqrtEvalQuantized over the integer input x (an input at or below the zero point gives the max)."""
    lo, hi = c.INT_RANGES[p["dtype"]]
    v = x.astype(np.int64).reshape(-1) - p["input_zp"]
    m, s = fp.inv_sqrt_multiplier_exp(np.maximum(v, 0))
    data = fp.multiply_by_quantized_multiplier(1, m, s + EXTRA_BITS)
    y = fp.multiply_by_quantized_multiplier(data, p["multiplier"], p["shift"] - EXTRA_BITS)
    y = np.clip(fp.wrap32(y + p["output_zp"]), lo, hi)
    return np.where(v <= 0, hi, y).astype(p["dtype"]).reshape(x.shape)


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        with np.errstate(all="ignore"):
            return [(np.float32(1) / np.sqrt(x)).astype(np.float32)]
    return [quantized(x, p)]
