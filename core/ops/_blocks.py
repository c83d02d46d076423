"""Shared by SPACE_TO_DEPTH and DEPTH_TO_SPACE: TFLM's checks (4-D NHWC, int8 / float32, block
size dividing the moved dimensions), the codec and the quantisation check (bytes are moved)."""
from __future__ import annotations

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

INPUTS = ("input",)
ATTRS = {"block_size": 2}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
MAX_BLOCK = 1 << 16


def block(node, g) -> tuple[tuple[int, ...], int]:
    x = g.tensors[node.inputs[0]]
    b = int(node.attrs["block_size"])
    if len(x.shape) != 4:
        raise c.fail(node, f"needs a 4-D (NHWC) input, got {x.shape}")
    if not 1 <= b <= MAX_BLOCK:
        raise c.fail(node, f"block_size {b} must be between 1 and {MAX_BLOCK:,}")
    return x.shape, b


def prepare(node, g, builtin: str) -> dict:
    return {"dtype": mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], builtin, DTYPES),
            "block_size": int(node.attrs["block_size"])}


def codec(builtin: str, options: str) -> _tflite.TFLite:
    def read(ctx) -> dict:
        return {"block_size": int(getattr(ctx.o, "blockSize", 0)) if ctx.o is not None else 0}

    def write(ctx, node, inputs):
        opt = ctx.options()
        opt.blockSize = int(node.attrs["block_size"])
        return ctx.builtin, opt, inputs
    return _tflite.TFLite(builtin, options, read=read, write=write)
