"""L2_POOL_2D (float32 only, as TFLM's l2_pool_2d.cc -> reference_ops::L2Pool): per window, the
float32 sum of the squares of its in-bounds elements (rows, then columns), divided by their count,
its sqrt, clamped to the fused activation's range. The window rules are AVERAGE_POOL_2D's
(core/ops/_pool.py: SAME / VALID pads never contribute)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _pool, _tflite
from tinycc.core.ops import common as c

NAME = "l2_pool_2d"
INPUTS, ATTRS = _pool.INPUTS, _pool.ATTRS
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)                    # TFLM has no quantised L2 pool
FUSED_ACTIVATION, WINDOWED = True, True
TFLITE = _tflite.TFLite("L2_POOL_2D", "Pool2DOptions", required=True, read=_tflite.read_pool,
                        write=_tflite.write_pool, pad_fill=None, resolver={"L2_POOL_2D": "AddL2Pool2D"})
infer = _pool.infer


def prepare(node, g):
    return {"dtype": c.check_dtypes(node, g, DTYPES)}


def run(node, g, inputs, p):
    x = inputs[0]
    out_shape = g.tensors[node.outputs[0]].shape
    y = np.zeros(out_shape, dtype=np.float32)
    for oy, ox, win in _pool.windows(node, x, out_shape):
        n, kh, kw, ch = win.shape
        squares = (win * win).astype(np.float32).reshape(n, kh * kw, ch)
        total = np.cumsum(squares, axis=1, dtype=np.float32)[:, -1, :]     # TFLM's order, in float32
        y[:, oy, ox, :] = np.sqrt(total / np.float32(kh * kw)).astype(np.float32)
    return [c.apply_float_activation(y, node.attrs["activation"])]


def macs(node, g):
    return g.tensors[node.outputs[0]].size * node.attrs["kernel"][0] * node.attrs["kernel"][1]
