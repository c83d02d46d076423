"""PRELU: x >= 0 ? x : alpha * x, alpha a tensor broadcast against x, as TFLM's prelu.cc (always
its BroadcastPrelu4DSlow: at most 4 dimensions).

int8 (TFLM's BroadcastPrelu4DSlow): v = x - zp_in; v >= 0 is rescaled by s_in / s_out, otherwise
v * (alpha - zp_alpha) by s_in * s_alpha / s_out (QuantizeMultiplier each), + zp_out, clamped."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _compare, _tflite
from tinycc.core.ops import common as c

NAME = "prelu"
ONNX_OP = "PRelu"                 # one node of this ONNX operator is one of this op
INPUTS = ("x", "alpha")
ATTRS: dict = {}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("PRELU")
infer = _compare.infer_up_to(4, always=True)


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, alpha = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    if alpha.dtype != dtype:
        raise c.fail(node, f"alpha {alpha.name!r} is {alpha.dtype}; a {dtype} PRELU needs a {dtype} alpha")
    if dtype == "float32":
        return {"dtype": dtype}
    if alpha.quant is None or alpha.quant.scale.size != 1:
        raise c.fail(node, f"alpha {alpha.name!r} needs one (per-tensor) scale and zero point",
                     hint="TF Lite Micro's PRELU reads alpha's per-tensor quantisation")
    m1, s1 = ql.rescale(float(x.quant.s) / float(out.quant.s), f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    m2, s2 = ql.rescale(float(x.quant.s) * float(alpha.quant.s) / float(out.quant.s),
                        f"{ql.tensor_scale(x)} x {ql.tensor_scale(alpha)} / {ql.tensor_scale(out)}")
    return {"dtype": dtype, "input_zp": int(x.quant.zp), "alpha_zp": int(alpha.quant.zp),
            "output_zp": int(out.quant.zp), "multiplier_1": m1, "shift_1": s1, "multiplier_2": m2, "shift_2": s2}


def run(node, g, inputs, p):
    x, alpha = _compare.broadcast_pair(*inputs)
    if p["dtype"] == "float32":
        x, alpha = x.astype(np.float32), alpha.astype(np.float32)
        return [np.where(x >= 0, x, x * alpha).astype(np.float32)]
    v = x.astype(np.int64) - p["input_zp"]
    pos = fp.multiply_by_quantized_multiplier(v, p["multiplier_1"], p["shift_1"])
    neg = fp.multiply_by_quantized_multiplier(v * (alpha.astype(np.int64) - p["alpha_zp"]),
                                              p["multiplier_2"], p["shift_2"])
    y = fp.wrap32(np.where(v >= 0, pos, neg) + p["output_zp"])
    return [np.clip(y, -128, 127).astype(np.int8)]
