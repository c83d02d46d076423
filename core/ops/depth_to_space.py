"""DEPTH_TO_SPACE: channels become block_size x block_size spatial blocks (NHWC, TFLM's order:
block row, block column, channel)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _blocks
from tinycc.core.ops import common as c

NAME = "depth_to_space"
INPUTS, ATTRS, DTYPES, SIGNATURES = _blocks.INPUTS, _blocks.ATTRS, _blocks.DTYPES, _blocks.SIGNATURES
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def infer(node, g):
    (n, h, w, ch), b = _blocks.block(node, g)
    if ch % (b * b):
        raise c.fail(node, f"block_size {b} squared does not divide the input's {ch} channels")
    return [(n, h * b, w * b, ch // (b * b))]


def prepare(node, g):
    return _blocks.prepare(node, g, "DEPTH_TO_SPACE")


def run(node, g, inputs, p):
    x, b = inputs[0], p["block_size"]
    n, h, w, ch = x.shape
    co = ch // (b * b)
    return [np.ascontiguousarray(x.reshape(n, h, w, b, b, co).transpose(0, 1, 3, 2, 4, 5)
                                 .reshape(n, h * b, w * b, co))]


TFLITE = _blocks.codec("DEPTH_TO_SPACE", "DepthToSpaceOptions")
