"""Shared by the elementwise binary ops (ADD, SUB, MUL): schema, numpy-style broadcast shape rule."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import common as c

INPUTS = ("a", "b")
ATTRS = {"activation": "none"}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)   # a, b -> output (TFLM's kernels)
INT32_ACTIVATION = {"none": (-(1 << 31), (1 << 31) - 1), "relu": (0, (1 << 31) - 1), "relu6": (0, 6),
                    "relu_n1_to_1": (-1, 1)}           # int32 tensors carry no quantisation: raw bounds


def infer(node, g):
    a, b = (g.tensors[n] for n in node.inputs)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise c.fail(node, f"input shapes {a.shape} and {b.shape} do not broadcast") from None
    if len(shape) > 6:
        raise c.fail(node, f"broadcasting is supported up to 6 dimensions, got {len(shape)}")
    return [tuple(shape)]


def check(node, g) -> str:
    dtype = c.check_dtypes(node, g, DTYPES)
    b = g.tensors[node.inputs[1]]
    if b.dtype != dtype:
        raise c.fail(node, f"inputs have different dtypes ({dtype} and {b.dtype})")
    if dtype not in ("float32", "int32") and b.quant is None:
        raise c.fail(node, f"input {b.name!r} is {dtype} but has no quantisation parameters")
    return dtype


def float_result(node, y):
    return [c.apply_float_activation(np.asarray(y, dtype=np.float32), node.attrs["activation"])]


def int32_params(node, activation: bool = True) -> dict:
    """int32 ADD/SUB/MUL: raw integers, the sum or product wrapping as TFLM's int32 arithmetic does,
    clamped to the activation's bounds (TFLM's int32 ADD applies no activation: activation=False)."""
    lo, hi = INT32_ACTIVATION[node.attrs["activation"] if activation else "none"]
    return {"dtype": "int32", "act_min": lo, "act_max": hi}


def int32_result(y, p) -> list:
    return [np.clip(fp.wrap32(np.asarray(y, dtype=np.int64)), p["act_min"], p["act_max"]).astype(np.int32)]
