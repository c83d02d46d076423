"""LEAKY_RELU: x >= 0 ? x : alpha * x. Quantised as TFLM's QuantizeLeakyRelu: two multipliers
(s_in/s_out for x >= 0, s_in*alpha/s_out below, in double), clamp to the type."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _unary
from tinycc.core.ops import common as c

NAME = "leaky_relu"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS = {"alpha": 0.2}
DTYPES = ("int8", "int16", "float32")


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    s_in, s_out, alpha = float(x.quant.s), float(out.quant.s), float(np.float32(node.attrs["alpha"]))
    m_alpha, s_alpha = fp.quantize_multiplier(s_in * alpha / s_out)
    m_id, s_id = fp.quantize_multiplier(s_in / s_out)
    return {"dtype": dtype, "input_zp": x.quant.zp, "output_zp": out.quant.zp,
            "multiplier_alpha": m_alpha, "shift_alpha": s_alpha, "multiplier_identity": m_id, "shift_identity": s_id}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        alpha = np.float32(node.attrs["alpha"])
        return [np.where(x >= 0, x, x * alpha).astype(np.float32)]
    v = x.astype(np.int64) - p["input_zp"]
    pos = fp.multiply_by_quantized_multiplier(v, p["multiplier_identity"], p["shift_identity"])
    neg = fp.multiply_by_quantized_multiplier(v, p["multiplier_alpha"], p["shift_alpha"])
    lo, hi = c.INT_RANGES[p["dtype"]]
    return [np.clip(np.where(v >= 0, pos, neg) + p["output_zp"], lo, hi).astype(p["dtype"])]
