"""RSQRT: 1 / sqrt(x). float32 (1.f / std::sqrt(x)); int8 as TFLM's RsqrtEvalQuantized: for
v = x - zp_in > 0, GetInvSqrtQuantizedMultiplierExp(v) (a fixed-point Newton-Raphson), applied to 1
with 20 extra bits, then MultiplyByQuantizedMultiplier(1 / (sqrt(s_in) * s_out), in double) back,
plus zp_out, clamped; v == 0 gives 127. TFLM fails the whole invoke on an input below its zero
point ("only defined for positive values"); tinycc gives 127 there too. TFLM's Prepare refuses int16."""
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
DTYPES = ("float32", "int8")
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
    real = 1.0 / (math.sqrt(float(x.quant.s)) * float(out.quant.s))
    what = f"1 / (sqrt({ql.tensor_scale(x)}) x {ql.tensor_scale(out)})"
    m, s = ql.rescale(real, what)
    if m != 0 and s < MIN_SHIFT:
        raise c.fail(node, f"the rescale factor {what} = {real:.6g} is too small: TFLM's kernel would shift "
                           f"right by {EXTRA_BITS - s} bits (at most 31)", hint=ql.SCALE_HINT)
    return {"dtype": dtype, "input_zp": x.quant.zp, "output_zp": out.quant.zp, "multiplier": m, "shift": s}


def inv_sqrt_multiplier_exp(v: int) -> tuple[int, int]:
    """TFLM's GetInvSqrtQuantizedMultiplierExp(v, kReverseShift = -1) for one int32 v >= 0."""
    if v <= 1:
        return fp.INT32_MAX, 0
    shift = 11
    while v >= (1 << 29):
        v //= 4
        shift += 1
    pairs = (32 - v.bit_length() - 1) // 2 - 1
    shift -= pairs
    v <<= 2 * pairs
    half_input = int(fp.rounding_divide_by_pot(v >> 1, 1))          # F3 input / 2
    half_three = (1 << 28) + (1 << 27)                                 # F3 1.5
    x = 1 << 28                                                        # F3 1.0
    for _ in range(5):
        x3 = int(fp.rescale(fp.srdhm(fp.srdhm(x, x), x), 9, 3))
        x = int(fp.rescale(fp._sub(fp.srdhm(half_three, x), fp.srdhm(half_input, x3)), 6, 3))
    x = int(fp.srdhm(x, 1518500250))                                   # x sqrt(2) / 2 (F0)
    if shift < 0:
        x, shift = int(fp.wrap32(x << -shift)), 0
    return x, -shift


def table(p) -> np.ndarray:
    """The int8 output for each input byte -128..127."""
    out = np.empty(256, dtype=np.int64)
    for k, q in enumerate(range(-128, 128)):
        v = q - p["input_zp"]
        if v <= 0:
            out[k] = 127
            continue
        m, s = inv_sqrt_multiplier_exp(v)
        data = fp.multiply_by_quantized_multiplier(1, m, s + EXTRA_BITS)
        y = fp.multiply_by_quantized_multiplier(data, p["multiplier"], p["shift"] - EXTRA_BITS)
        out[k] = int(fp.wrap32(y + p["output_zp"]))
    return np.clip(out, -128, 127).astype(np.int8)


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        with np.errstate(all="ignore"):
            return [(np.float32(1) / np.sqrt(x)).astype(np.float32)]
    return [table(p)[x.astype(np.int64) + 128]]
