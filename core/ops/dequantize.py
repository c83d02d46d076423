"""DEQUANTIZE: int8/int16 -> float32, (float)(scale * (x - zp)) computed in double as TFLM does.

Constant operands (the weights and int32 biases of an ONNX QDQ model before it is folded)
may be per-channel along their quantisation axis.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import quant_limits
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "dequantize"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32")
SIGNATURES = tuple(f"{d} -> float32" for d in DTYPES)
ELEMENTWISE, CONVERTS_DTYPE = True, True
TFLITE = _tflite.TFLite("DEQUANTIZE")


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
    if x.is_const and x.data is not None and x.data.size:
        _check_finite(node, x, x.quant.scale.astype(np.float64).reshape(shape), x.quant.zero_point.reshape(shape))
    return {"dtype": x.dtype, "input_zp": x.quant.zp, "scale": float(np.float32(x.quant.s)),
            "scales": x.quant.scale.astype(np.float64).reshape(shape),
            "zero_points": x.quant.zero_point.reshape(shape)}


def _check_finite(node, x, scales, zero_points) -> None:
    """A constant (an ONNX QDQ model's weights or bias) whose dequantised value leaves float32 (a scale
    of 3.4e38) would compute with infinities; TFLM and tinycc then disagree, and no trained model has
    one: refused, naming the tensor, the element and its scale."""
    real = np.abs(scales * (np.asarray(x.data, np.float64) - zero_points))
    bad = np.flatnonzero(~(real <= float(np.finfo(np.float32).max)))
    if bad.size:
        k = int(bad[0])
        idx = np.unravel_index(k, real.shape)
        s = float(np.broadcast_to(scales, real.shape)[idx])
        raise c.fail(node, f"constant {x.name!r}[{k}] = {int(np.asarray(x.data).reshape(-1)[k])} with scale {s:.6g} "
                           f"dequantises to {float(real.reshape(-1)[k]):.6g}, beyond float32",
                     hint=quant_limits.SCALE_HINT)


def run(node, g, inputs, p):
    return [(p["scales"] * (inputs[0].astype(np.float64) - p["zero_points"])).astype(np.float32)]


def node(name: str, x: str, y: str):
    """A DEQUANTIZE node `name` writing float `y` from the integer `x`."""
    from tinycc.core.graph import Node
    return Node(name, NAME, [x], [y])
