"""Shared by AVERAGE_POOL_2D and MAX_POOL_2D: schema, shape rule and the window walk.

As in TFLM's reference pooling, only in-bounds window elements take part; padding never
contributes a value. pads = (top, left, bottom, right); only top/left move the window origin.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

INPUTS = ("input",)
ATTRS = {"kernel": (1, 1), "strides": (1, 1), "pads": (0, 0, 0, 0), "activation": "none"}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x = ins[0]
    if len(x.shape) != 4:
        raise c.fail(node, f"expects a 4-D NHWC input, got {x.shape}")
    a = node.attrs
    c.check_window(node, a["kernel"], a["strides"], (1, 1), a["pads"])
    n, h, w, ch = x.shape
    top, left, bottom, right = a["pads"]
    if max(top, bottom) >= a["kernel"][0] or max(left, right) >= a["kernel"][1]:
        raise c.fail(node, f"pads {a['pads']} must be smaller than the window {a['kernel']}",
                     hint="a window over padding only has no elements to pool")
    oh = c.conv_output_size(h, a["kernel"][0], a["strides"][0], 1, top, bottom)
    ow = c.conv_output_size(w, a["kernel"][1], a["strides"][1], 1, left, right)
    if oh <= 0 or ow <= 0:
        raise c.fail(node, f"output would be empty ({oh}x{ow}) for input {h}x{w} and window {a['kernel']}")
    return [(n, oh, ow, ch)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    ins, (out,) = c.tensors(node, g)
    if dtype == "float32":
        return {"dtype": dtype}
    if ins[0].quant.zp != out.quant.zp or not np.isclose(ins[0].quant.s, out.quant.s):
        raise c.fail(node, "input and output quantisation differ; TFLM pooling does not rescale",
                     hint="requantise with a QUANTIZE op, or give both tensors the same scale and zero point")
    lo, hi = c.activation_range(node.attrs["activation"], out)
    return {"dtype": dtype, "act_min": lo, "act_max": hi}


def windows(node, x: np.ndarray, out_shape):
    """Yield (oy, ox, window) with window = x[:, rows, cols, :] of the in-bounds elements."""
    a = node.attrs
    _, h, w, _ = x.shape
    kh, kw = a["kernel"]
    sh, sw = a["strides"]
    top, left = a["pads"][0], a["pads"][1]
    for oy in range(out_shape[1]):
        y0 = oy * sh - top
        for ox in range(out_shape[2]):
            x0 = ox * sw - left
            yield oy, ox, x[:, max(y0, 0):min(y0 + kh, h), max(x0, 0):min(x0 + kw, w), :]
