"""ADD with numpy broadcasting, as TFLM's reference Add / BroadcastAdd.

Quantised: each input (x - zp) is shifted left by 20 bits (15 for int16), rescaled into the
common scale 2*max(s1, s2) with its own double-rounding multiplier, summed, rescaled to the
output scale, + output zp, clamped.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _binary, _tflite
from tinycc.core.ops import common as c

NAME = "add"
ONNX_OP = "Add"                   # one node of this ONNX operator is one of this op
INPUTS, ATTRS, DTYPES = _binary.INPUTS, _binary.ATTRS, _binary.DTYPES
SIGNATURES = _binary.SIGNATURES
ELEMENTWISE, FUSED_ACTIVATION, IN_PLACE = True, True, "elementwise"
TFLITE = _tflite.TFLite("ADD", "AddOptions", read=_tflite.read_activation, write=_tflite.write_activation)
infer = _binary.infer


def scale_params(node, g, twice_max_in_float32: bool = False) -> dict:
    """Input/output multipliers of quantised ADD and SUB (TFLM's CalculateOpData)."""
    a, b = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    left_shift = 15 if out.dtype == "int16" else 20
    s1, s2, so = a.quant.s, b.quant.s, out.quant.s
    if twice_max_in_float32:
        twice = np.float32(2) * max(np.float32(s1), np.float32(s2))
        r1, r2 = float(np.float32(s1) / twice), float(np.float32(s2) / twice)
        ro = float(twice / (np.float32(1 << left_shift) * np.float32(so)))
    else:
        twice = 2.0 * max(s1, s2)
        r1, r2, ro = s1 / twice, s2 / twice, twice / ((1 << left_shift) * so)
    # TFLM: QuantizeMultiplierSmallerThanOneExp, aborting on a factor >= 1 (an output scale below
    # 2 x the larger input scale / 2^20, or 2^15 for int16)
    m1, sh1 = ql.rescale_below_one(r1, f"{ql.tensor_scale(a)} / (2 x the larger input scale)")
    m2, sh2 = ql.rescale_below_one(r2, f"{ql.tensor_scale(b)} / (2 x the larger input scale)")
    mo, sho = ql.rescale_below_one(ro, f"2 x the larger input scale / (2^{left_shift} x {ql.tensor_scale(out)})")
    lo, hi = c.activation_range(node.attrs["activation"], out)
    return {"left_shift": left_shift, "input1_zp": a.quant.zp, "input2_zp": b.quant.zp,
            "output_zp": out.quant.zp, "input1_multiplier": m1, "input1_shift": sh1,
            "input2_multiplier": m2, "input2_shift": sh2, "output_multiplier": mo, "output_shift": sho,
            "act_min": lo, "act_max": hi}


def prepare(node, g):
    dtype = _binary.check(node, g)
    if dtype == "float32":
        return {"dtype": dtype}
    if dtype == "int32":
        return _binary.int32_params(node, activation=False)
    return {"dtype": dtype, **scale_params(node, g)}


def scaled_inputs(a, b, p):
    x1 = fp.multiply_by_quantized_multiplier((a.astype(np.int64) - p["input1_zp"]) << p["left_shift"],
                                             p["input1_multiplier"], p["input1_shift"])
    x2 = fp.multiply_by_quantized_multiplier((b.astype(np.int64) - p["input2_zp"]) << p["left_shift"],
                                             p["input2_multiplier"], p["input2_shift"])
    return x1, x2


def finish(raw, p):
    y = fp.multiply_by_quantized_multiplier(fp.wrap32(raw), p["output_multiplier"], p["output_shift"])
    return [np.clip(fp.wrap32(y + p["output_zp"]), p["act_min"], p["act_max"]).astype(p["dtype"])]


def run(node, g, inputs, p):
    a, b = inputs
    if p["dtype"] == "int32":
        return _binary.int32_result(a.astype(np.int64) + b, p)
    if p["dtype"] == "float32":
        return _binary.float_result(node, a.astype(np.float32) + b.astype(np.float32))
    x1, x2 = scaled_inputs(a, b, p)
    return finish(x1 + x2, p)


def macs(node, g):
    return g.tensors[node.outputs[0]].size
