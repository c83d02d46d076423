"""Shared by SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: TFLM takes 3-D (N, H, C) or 4-D (N, H, W, C)
tensors, int8 or float32, block shape and paddings / crops constant (attributes here). A 3-D
tensor is (N, H, 1, C) with a block of 1 and no padding along W, as TFLM's reference extends it."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import common as c

DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)


def geometry(node, g, margins: str):
    """(input shape as 4-D, block (bh, bw), margins ((top, bottom), (left, right))) after checking
    ranks, the block (>= 1) and the margins (>= 0, one pair per spatial dimension)."""
    x = g.tensors[node.inputs[0]]
    if len(x.shape) not in (3, 4):
        raise c.fail(node, f"input {x.name!r} has shape {x.shape}; TFLM takes 3-D or 4-D tensors")
    spatial = len(x.shape) - 2
    block = tuple(int(v) for v in node.attrs["block_shape"])
    pairs = tuple(tuple(int(v) for v in row) for row in node.attrs[margins])
    if len(block) != spatial or any(b < 1 for b in block):
        raise c.fail(node, f"block_shape {block} must be {spatial} integers >= 1 for a {len(x.shape)}-D input")
    if len(pairs) != spatial or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise c.fail(node, f"{margins} {pairs} must be {spatial} non-negative (before, after) pairs")
    node.attrs["block_shape"], node.attrs[margins] = block, pairs
    shape4 = tuple(x.shape) if spatial == 2 else (x.shape[0], x.shape[1], 1, x.shape[2])
    if spatial == 1:
        block, pairs = (block[0], 1), (pairs[0], (0, 0))
    return shape4, block, pairs


def prepare(node, g, builtin: str) -> dict:
    dtype = mv.same_dtype_and_quant(node, g, [node.inputs[0], *node.outputs], builtin, DTYPES)
    return {"dtype": dtype}


def as4(x: np.ndarray) -> np.ndarray:
    return x if x.ndim == 4 else x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])


def block_attrs(ctx, margins: str) -> dict:
    block = ctx.const(1, "block_shape")
    pairs = ctx.const(2, margins)
    return {"block_shape": tuple(int(v) for v in np.asarray(block).reshape(-1)),
            margins: tuple(tuple(int(v) for v in row) for row in np.asarray(pairs).reshape(-1, 2))}


def block_write(margins: str):
    def write(ctx, node, inputs):
        inputs = inputs[:1] + [ctx.const_int32(node, "block_shape", node.attrs["block_shape"]),
                               ctx.const_int32(node, margins, node.attrs[margins])]
        return ctx.builtin, None, inputs
    return write
