"""Shared by LOGISTIC and TANH. int8: TFLM's input rescale into Q4.27 and the saturation radius. int16:
the (multiplier, shift) of their int16 Prepare into TFLM's interpolated table (core/ops/_sigmoid_table.py),
zero points 0 and output scale 2^-15."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _sigmoid_table as st
from tinycc.core.ops import common as c

INPUT_INTEGER_BITS = 4
MAX_LEFT_SHIFT = 62       # CalculateInputRadius: 1LL << left_shift


DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def prepare(node, g, out_scale: float, out_zp: int, pot_shifts: tuple[int, ...]) -> dict:
    """float32: nothing to prepare; int8: the output must be (out_scale, out_zp) as TFLite's spec says;
    int16: see prepare_int16."""
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": "float32"}
    if dtype == "int16":
        return prepare_int16(node, g, pot_shifts)
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


def prepare_int16(node, g, pot_shifts: tuple[int, ...]) -> dict:
    """TFLM's int16 Prepare: zero points 0, an output scale within 1e-3 (log2) of 2^-15, and the input's
    (multiplier, shift) (_sigmoid_table.input_scaling). Refused where the kernel is undefined: a multiplier
    above 32767 (TFLM's DCHECK; input scale from about 2.67) or 0 (input scale below about 4e-14, where
    TFLM's kernel would shift 3 left by 31)."""
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    ql.require_int16_zero_point_0((x, out), node.op.upper())
    power, exact = fp.checked_log2(out.quant.s)
    if not exact or power != -15:
        raise c.fail(node, f"int16 {node.op} output {out.name!r} must have scale 2^-15 (1/32768), got "
                           f"{float(out.quant.s):g}", hint="this is what TF Lite Micro's int16 kernel requires")
    multiplier, shift = st.input_scaling(float(x.quant.s), pot_shifts)
    if not 1 <= multiplier <= st.MAX_MULTIPLIER:
        raise c.fail(node, f"input {x.name!r} scale {float(x.quant.s):.6g} is outside what int16 {node.op} is "
                           f"defined for: its input multiplier (scale x 3 x 4096, doubled up to 31 times) is "
                           f"{multiplier}, outside 1..{st.MAX_MULTIPLIER}", hint=ql.SCALE_HINT)
    return {"dtype": "int16", "multiplier": multiplier, "shift": shift}
