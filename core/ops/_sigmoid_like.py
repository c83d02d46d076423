"""Shared by LOGISTIC and TANH (int8): TFLM's input rescale into Q4.27 and the saturation radius."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import common as c

INPUT_INTEGER_BITS = 4
MAX_LEFT_SHIFT = 62       # CalculateInputRadius: 1LL << left_shift


DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def prepare(node, g, out_scale: float, out_zp: int) -> dict:
    """float32: nothing to prepare; int8: the output must be (out_scale, out_zp) as TFLite's spec says."""
    if c.check_dtypes(node, g, DTYPES) == "float32":
        return {"dtype": "float32"}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.quant.zp != out_zp or abs(out.quant.s - out_scale) > 1e-3 * out_scale:
        raise c.fail(node, f"int8 {node.op} output must have scale {out_scale:g} and zero point {out_zp}, "
                     f"got {out.quant.s:g} and {out.quant.zp}", hint="this is the TFLite quantisation spec")
    real = float(x.quant.s) * (1 << (31 - INPUT_INTEGER_BITS))
    mult, left_shift = fp.quantize_multiplier_frexp(real)
    # TFLM's Prepare: frexp, then CalculateInputRadius divides by (1LL << left_shift), undefined for a
    # negative shift (input scale below 2^-28) or one past 62 (scale from 2^35); a mantissa rounding up
    # to 2^31 does not fit the int32 it is cast to. Between, the radius keeps every rescaled input
    # inside int32 (a shift of 31 or more leaves radius 0: all inputs saturate, no rescale happens).
    if not 0 <= left_shift <= MAX_LEFT_SHIFT or mult > ql.INT32_MAX:
        raise c.fail(node, f"input {x.name!r} scale {float(x.quant.s):.6g} is outside what int8 {node.op} is "
                           f"defined for ([2^-28, 2^35), an input step x 2^27 must need a left shift of 0.."
                           f"{MAX_LEFT_SHIFT}; it needs {left_shift})", hint=ql.SCALE_HINT)
    radius = fp.calculate_input_radius(INPUT_INTEGER_BITS, left_shift, 31)
    return {"dtype": "int8", "input_zp": x.quant.zp, "multiplier": mult, "left_shift": left_shift,
            "radius": radius}


def run_int8(x, p, function, out_bits_shift: int, out_offset: int):
    """function: Q4 raw -> Q0 raw; output = rdbpot(q0, 31 - out_bits_shift) + offset, saturated at +-radius."""
    v = x.astype(np.int64) - p["input_zp"]
    q4 = fp.multiply_by_quantized_multiplier(v, p["multiplier"], p["left_shift"])
    q0 = function(q4, INPUT_INTEGER_BITS)
    y = np.clip(fp.rounding_divide_by_pot(q0, 31 - out_bits_shift) + out_offset, -128, 127)
    y = np.where(v <= -p["radius"], -128, np.where(v >= p["radius"], 127, y))
    return [y.astype(np.int8)]
