"""RELU6: min(max(x, 0), 6). Quantised as TFLM's Relu6Quantized: no rescale (input and output
share quantisation), clamp to [zp, quantize(6)]."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "relu6"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
ELEMENTWISE, FUSABLE_ACTIVATION, SHARES_INPUT_QUANT, IN_PLACE = True, True, True, "elementwise"
TFLITE = _tflite.TFLite("RELU6")


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if x.quant.zp != out.quant.zp or not np.isclose(x.quant.s, out.quant.s):
        raise c.fail(node, "input and output quantisation differ; TFLM's RELU6 does not rescale",
                     hint="give both tensors the same scale and zero point")
    lo, hi = c.INT_RANGES[dtype]
    six = int(np.clip(fp.round_half_away(np.float32(6.0) / np.float32(x.quant.s)) + x.quant.zp, lo, hi))
    return {"dtype": dtype, "act_min": x.quant.zp, "act_max": six}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        return [np.clip(x, np.float32(0), np.float32(6)).astype(np.float32)]
    return [np.clip(x, p["act_min"], p["act_max"]).astype(p["dtype"])]
