"""LEAKY_RELU: x >= 0 ? x : alpha * x. Quantised as TFLM's QuantizeLeakyRelu: two multipliers
(s_in/s_out for x >= 0, s_in*alpha/s_out below, in double), clamp to the type."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "leaky_relu"
ONNX_OP, ONNX_ATTRS = "LeakyRelu", {"alpha": ("alpha", 0.01)}   # core attr: (ONNX attr, ONNX default)
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS = {"alpha": 0.2}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
ELEMENTWISE, IN_PLACE = True, "elementwise"


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    s_in, s_out, alpha = float(x.quant.s), float(out.quant.s), float(np.float32(node.attrs["alpha"]))
    if not np.isfinite(alpha):
        raise c.fail(node, f"alpha {alpha} is not a finite number")
    # in double (the float32 products of some TFLM sources differ from the tflite-micro build by an LSB)
    r_alpha, r_id = s_in * alpha / s_out, s_in / s_out
    m_alpha, s_alpha = ql.rescale(r_alpha, f"{ql.tensor_scale(x)} x alpha {float(alpha):g} / {ql.tensor_scale(out)}")
    m_id, s_id = ql.rescale(r_id, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
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
    return [np.clip(fp.wrap32(np.where(v >= 0, pos, neg) + p["output_zp"]), lo, hi).astype(p["dtype"])]


def _tflite_read(ctx) -> dict:
    return {"alpha": float(getattr(ctx.o, "alpha", 0.0)) if ctx.o is not None else 0.0}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.alpha = float(node.attrs["alpha"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("LEAKY_RELU", "LeakyReluOptions", read=_tflite_read, write=_tflite_write)
