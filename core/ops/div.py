"""DIV with broadcasting, as TFLM's reference Div / BroadcastDivSlow (at most 5 dimensions when
broadcasting) and a fused activation.

float32: a / b, clamped. int32: C's truncating division, clamped to the activation's integer
range; TFLM divides by zero there (a crash), tinycc's kernels give 0 for it and INT32_MIN for
INT32_MIN / -1 (wrapping) so that no input is undefined behaviour.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _compare, _tflite
from tinycc.core.ops import common as c

NAME = "div"
ONNX_OP = "Div"                   # one node of this ONNX operator is one of this op
INPUTS = _compare.INPUTS
ATTRS = {"activation": "none"}
DTYPES = ("int32", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)
ELEMENTWISE, FUSED_ACTIVATION = True, True
TFLITE = _tflite.TFLite("DIV", "DivOptions", read=_tflite.read_activation, write=_tflite.write_activation)
infer = _compare.infer_up_to(5)
INT32_ACTIVATION = {"none": (c.INT_RANGES["int32"]), "relu": (0, c.INT_RANGES["int32"][1]), "relu6": (0, 6),
                    "relu_n1_to_1": (-1, 1)}     # TFLM's CalculateActivationRange<int32_t>


def prepare(node, g):
    dtype = _compare.same_dtype(node, g, DTYPES)
    if dtype == "int32":
        for t in (g.tensors[n] for n in node.inputs):
            if t.quant is not None:
                raise c.fail(node, f"int32 input {t.name!r} is quantised; TF Lite Micro's DIV divides plain int32 only",
                             hint="int32 DIV operands carry no quantisation parameters")
        lo, hi = INT32_ACTIVATION[node.attrs["activation"]]
        return {"dtype": dtype, "act_min": lo, "act_max": hi}
    return {"dtype": dtype}


def int32_divide(a, b):
    """C's int32 a / b (toward zero), 0 for b == 0, INT32_MIN / -1 wrapping to INT32_MIN."""
    a, b = (np.asarray(v, dtype=np.int64) for v in np.broadcast_arrays(a, b))
    safe = np.where(b == 0, 1, b)
    q = np.abs(a) // np.abs(safe) * np.sign(a) * np.sign(safe)
    q = np.where(b == 0, 0, q)
    return np.where(q == 1 << 31, -(1 << 31), q)


def run(node, g, inputs, p):
    a, b = inputs
    if p["dtype"] == "float32":
        with np.errstate(divide="ignore", invalid="ignore"):
            y = a.astype(np.float32) / b.astype(np.float32)
        return [c.apply_float_activation(np.asarray(y, dtype=np.float32), node.attrs["activation"])]
    return [np.clip(int32_divide(a, b), p["act_min"], p["act_max"]).astype(np.int32)]
