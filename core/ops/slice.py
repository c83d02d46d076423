"""SLICE: a box of the input from constant begin / size (size -1: to the end), checked as TFLM's
Eval checks them (begin in [0, dim], size in [0, dim - begin]); up to 5 dimensions."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "slice"
INPUTS = ("input",)
ATTRS = {"begin": (), "size": ()}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"begin": "per_axis", "size": "per_axis"}
MAX_DIMS = 5


def box(node, shape) -> list[tuple[int, int]]:
    """(begin, count) per axis."""
    begin, size = (tuple(int(v) for v in node.attrs[k]) for k in ("begin", "size"))
    if len(begin) != len(shape) or len(size) != len(shape):
        raise c.fail(node, f"begin {begin} and size {size} need {len(shape)} entries each (input {shape})")
    out = []
    for axis, (b, s, d) in enumerate(zip(begin, size, shape)):
        if not 0 <= b <= d:
            raise c.fail(node, f"begin {b} on axis {axis} is outside [0, {d}] (input {shape})")
        count = d - b if s == -1 else s
        if not 0 <= count <= d - b:
            raise c.fail(node, f"size {s} on axis {axis} is outside [-1, {d - b}] (input {shape}, begin {b})")
        out.append((b, count))
    return out


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) > MAX_DIMS:
        raise c.fail(node, f"slice is supported up to {MAX_DIMS} dimensions (as in TFLM), got {x.shape}")
    return [tuple(count for _, count in box(node, x.shape))]


def prepare(node, g):
    dtype = mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "SLICE", DTYPES)
    return {"dtype": dtype, "box": box(node, g.tensors[node.inputs[0]].shape)}


def run(node, g, inputs, p):
    return [np.ascontiguousarray(inputs[0][tuple(slice(b, b + n) for b, n in p["box"])])]


def _tflite_read(ctx) -> dict:
    begin, size = ctx.input(1), ctx.input(2)
    if begin is None or size is None or begin.dtype != size.dtype or begin.dtype not in ("int32", "int64"):
        raise ctx.fail("begin and size must be two int32 (or two int64) tensors")
    if len(begin.shape) != 1 or len(size.shape) != 1:
        raise ctx.fail(f"begin {begin.shape} and size {size.shape} must be 1-D")
    return {"begin": tuple(int(v) for v in ctx.const(1, "SLICE begin")),
            "size": tuple(int(v) for v in ctx.const(2, "SLICE size"))}


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [*inputs[:1], ctx.const_int32(node, "begin", node.attrs["begin"]),
                               ctx.const_int32(node, "size", node.attrs["size"])]


TFLITE = _tflite.TFLite("SLICE", operands=1, read=_tflite_read, write=_tflite_write)
