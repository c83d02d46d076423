"""MAX_POOL_2D: maximum over each window (in-bounds elements only), clamped to the fused activation."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _pool, _tflite
from tinycc.core.ops import common as c

NAME = "max_pool_2d"
INPUTS, ATTRS, DTYPES = _pool.INPUTS, _pool.ATTRS, _pool.DTYPES
SIGNATURES = _pool.SIGNATURES
FUSED_ACTIVATION, WINDOWED, SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True, True, True
TFLITE = _tflite.TFLite("MAX_POOL_2D", "Pool2DOptions", required=True, read=_tflite.read_pool,
                        write=_tflite.write_pool, pad_fill="lowest",
                        resolver={"MAX_POOL_2D": "AddMaxPool2D"})   # padding must never win the max
infer, prepare = _pool.infer, _pool.prepare


def run(node, g, inputs, p):
    x = inputs[0]
    out_shape = g.tensors[node.outputs[0]].shape
    y = np.zeros(out_shape, dtype=x.dtype)
    for oy, ox, win in _pool.windows(node, x, out_shape):
        y[:, oy, ox, :] = win.max(axis=(1, 2))
    if p["dtype"] == "float32":
        return [c.apply_float_activation(y, node.attrs["activation"])]
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"])]


def macs(node, g):
    return g.tensors[node.outputs[0]].size * node.attrs["kernel"][0] * node.attrs["kernel"][1]
