"""BROADCAST_ARGS: the broadcast of two 1-D shape tensors (int32 or int64), aligned on the
right, as TFLM computes it: each entry is read as a C int (int64 values wrap to 32 bits), a 1
takes the other side's entry, otherwise the first side's. Constant shapes that do not broadcast
are refused (TFLM aborts on them)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "broadcast_args"
INPUTS = ("shape1", "shape2")
ATTRS: dict = {}
DTYPES = ("int32", "int64")
SIGNATURES = tuple(f"{d}, {d} -> {d}" for d in DTYPES)   # shape1, shape2 -> output (TFLM's kernel)


def infer(node, g):
    a, b = (g.tensors[n] for n in node.inputs)
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise c.fail(node, f"the shapes must be 1-D tensors, got {a.shape} and {b.shape}")
    return [(max(a.shape[0], b.shape[0]),)]


def _broadcast(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Both sides as int32 (C int) entries, left-padded with 1 to n entries, and the result."""
    def padded(v):
        v = np.asarray(v).reshape(-1).astype(np.int64).astype(np.int32)      # wraps as (int) does
        return np.concatenate([np.ones(n - v.size, np.int32), v])
    x, y = padded(a), padded(b)
    return np.where(x == 1, y, x), (x != 1) & (y != 1) & (x != y)


def prepare(node, g):
    a, b = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    if not a.dtype == b.dtype == out.dtype or a.dtype not in DTYPES:
        raise c.fail(node, f"shapes and output must be all int32 or all int64, got {a.dtype}, {b.dtype} "
                           f"-> {out.dtype}")
    if a.is_const and b.is_const:
        _, clash = _broadcast(a.data, b.data, out.shape[0])
        if clash.any():
            raise c.fail(node, f"shapes {a.data.tolist()} and {b.data.tolist()} do not broadcast",
                         hint="TFLM aborts on them")
    return {"dtype": a.dtype}


def run(node, g, inputs, p):
    y, _ = _broadcast(inputs[0], inputs[1], g.tensors[node.outputs[0]].shape[0])
    return [y.astype(p["dtype"])]


TFLITE = _tflite.TFLite("BROADCAST_ARGS")
