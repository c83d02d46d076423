"""DEQUANTIZE: int8/int16 -> float32, (float)(scale * (x - zp)) computed in double as TFLM does.

Constant operands (the weights and int32 biases of an ONNX QDQ model before it is folded)
may be per-channel along their quantisation axis.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _unary
from tinycc.core.ops import common as c

NAME = "dequantize"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32")


def prepare(node, g):
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if x.dtype not in DTYPES or x.quant is None:
        raise c.fail(node, f"input must be a quantised {'/'.join(DTYPES)} tensor, got {x.dtype}")
    if out.dtype != "float32":
        raise c.fail(node, f"output must be float32, got {out.dtype}")
    if (x.quant.per_channel or x.dtype == "int32") and not x.is_const:
        raise c.fail(node, "per-channel or int32 dequantisation is supported for constants only")
    shape = [1] * len(x.shape)
    if x.quant.per_channel:
        shape[x.quant.axis] = -1
    return {"dtype": x.dtype, "input_zp": x.quant.zp, "scale": float(np.float32(x.quant.s)),
            "scales": x.quant.scale.astype(np.float64).reshape(shape),
            "zero_points": x.quant.zero_point.reshape(shape)}


def run(node, g, inputs, p):
    return [(p["scales"] * (inputs[0].astype(np.float64) - p["zero_points"])).astype(np.float32)]
