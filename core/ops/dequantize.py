"""DEQUANTIZE: int8/int16 -> float32, (float)(scale * (x - zp)) computed in double as TFLM does."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _unary
from tinycc.core.ops import common as c

NAME = "dequantize"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "int16")


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != "float32":
        raise c.fail(node, f"output must be float32, got {out.dtype}")
    if x.quant.per_channel:
        raise c.fail(node, "per-channel dequantisation of activations is not supported")
    return {"dtype": dtype, "input_zp": x.quant.zp, "scale": float(np.float32(x.quant.s))}


def run(node, g, inputs, p):
    return [(p["scale"] * (inputs[0].astype(np.float64) - p["input_zp"])).astype(np.float32)]
