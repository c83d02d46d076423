"""AVERAGE_POOL_2D: mean over each window, as TFLM's reference AveragePool.

Integer: int32 sum of the in-bounds elements, divided by their count rounding half away from
zero ((acc +/- count/2) / count in C), clamped to the fused activation range.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _pool, _tflite
from tinycc.core.ops import common as c

NAME = "average_pool_2d"
INPUTS, ATTRS, DTYPES = _pool.INPUTS, _pool.ATTRS, _pool.DTYPES
SIGNATURES = _pool.SIGNATURES
FUSED_ACTIVATION, WINDOWED, SHARES_INPUT_QUANT = True, True, True
TFLITE = _tflite.TFLite("AVERAGE_POOL_2D", "Pool2DOptions", required=True, read=_tflite.read_pool,
                        write=_tflite.write_pool, pad_fill=None,
                        resolver={"AVERAGE_POOL_2D": "AddAveragePool2D"})   # TFLite averages in-bounds elements only
infer, prepare = _pool.infer, _pool.prepare


def run(node, g, inputs, p):
    x = inputs[0]
    out_shape = g.tensors[node.outputs[0]].shape
    if p["dtype"] == "float32":
        y = np.zeros(out_shape, dtype=np.float32)
        for oy, ox, win in _pool.windows(node, x, out_shape):
            count = win.shape[1] * win.shape[2]
            y[:, oy, ox, :] = win.astype(np.float32).sum(axis=(1, 2), dtype=np.float32) / np.float32(max(count, 1))
        return [c.apply_float_activation(y, node.attrs["activation"])]
    y = np.zeros(out_shape, dtype=np.int64)
    for oy, ox, win in _pool.windows(node, x, out_shape):
        count = max(win.shape[1] * win.shape[2], 1)
        acc = win.astype(np.int64).sum(axis=(1, 2))
        half = count // 2
        num = np.where(acc > 0, acc + half, acc - half)
        y[:, oy, ox, :] = np.where(num >= 0, num // count, -((-num) // count))
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"])]


def macs(node, g):
    return g.tensors[node.outputs[0]].size * node.attrs["kernel"][0] * node.attrs["kernel"][1]
