"""RELU: max(x, 0). Quantised as TFLM's ReluQuantized: rescale by s_in/s_out (double rounding),
+ output zp, clamp to [quantize(0), type max]."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "relu"
ONNX_OP = "Relu"                  # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
ELEMENTWISE, FUSABLE_ACTIVATION, IN_PLACE = True, True, "elementwise"
TFLITE = _tflite.TFLite("RELU")


def rescale_params(node, g) -> dict:
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    m, s = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    lo, hi = c.INT_RANGES[out.dtype]
    act_min = max(lo, c.quantize_float(0.0, out.quant.s, out.quant.zp, f"output {out.name!r}"))
    return {"input_zp": x.quant.zp, "output_zp": out.quant.zp, "multiplier": m, "shift": s,
            "act_min": act_min, "act_max": hi}


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    ql.require_int16_zero_point_0((g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]), "RELU")
    return {"dtype": dtype, **rescale_params(node, g)}


def run_rescaled(x, p):
    y = fp.multiply_by_quantized_multiplier(x.astype(np.int64) - p["input_zp"], p["multiplier"], p["shift"])
    return [np.clip(fp.wrap32(y + p["output_zp"]), p["act_min"], p["act_max"]).astype(p["dtype"])]


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        return [np.maximum(x, np.float32(0)).astype(np.float32)]
    return run_rescaled(x, p)
