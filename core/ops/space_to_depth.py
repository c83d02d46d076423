"""SPACE_TO_DEPTH: each block_size x block_size spatial block becomes channels (NHWC, TFLM's
order: block row, block column, channel)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _blocks
from tinycc.core.ops import common as c

NAME = "space_to_depth"
INPUTS, ATTRS, DTYPES, SIGNATURES = _blocks.INPUTS, _blocks.ATTRS, _blocks.DTYPES, _blocks.SIGNATURES
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def infer(node, g):
    (n, h, w, ch), b = _blocks.block(node, g)
    if h % b or w % b:
        raise c.fail(node, f"block_size {b} does not divide the input's height and width ({h}, {w})")
    return [(n, h // b, w // b, ch * b * b)]


def prepare(node, g):
    return _blocks.prepare(node, g, "SPACE_TO_DEPTH")


def run(node, g, inputs, p):
    x, b = inputs[0], p["block_size"]
    n, h, w, ch = x.shape
    return [np.ascontiguousarray(x.reshape(n, h // b, b, w // b, b, ch).transpose(0, 1, 3, 2, 4, 5)
                                 .reshape(n, h // b, w // b, b * b * ch))]


TFLITE = _blocks.codec("SPACE_TO_DEPTH", "SpaceToDepthOptions")
