"""BROADCAST_TO a constant shape of up to 5 dimensions (numpy broadcasting: dimensions of 1
repeat, missing leading dimensions are added). TFLM copies bytes: a quantised output shares the
input's scale and zero point."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "broadcast_to"
INPUTS = ("input",)
ATTRS = {"shape": ()}
DTYPES = ("int8", "int16", "int32", "int64", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM copies bytes)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
MAX_DIMS = 5


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    shape = tuple(int(d) for d in node.attrs["shape"])
    if len(shape) > MAX_DIMS or len(x.shape) > len(shape):
        raise c.fail(node, f"cannot broadcast {x.shape} to {shape}: TFLM takes up to {MAX_DIMS} output "
                           "dimensions, at least as many as the input's")
    extra = len(shape) - len(x.shape)
    for k, d in enumerate(x.shape):
        if d != 1 and d != shape[extra + k]:
            raise c.fail(node, f"cannot broadcast {x.shape} to {shape}: dimension {k} is {d}, neither 1 "
                               f"nor {shape[extra + k]}")
    if any(d < 1 for d in shape):
        raise c.fail(node, f"the shape {shape} has a dimension below 1")
    node.attrs["shape"] = shape
    return [shape]


def prepare(node, g):
    return {"dtype": mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "BROADCAST_TO", DTYPES)}


def run(node, g, inputs, p):
    return [np.ascontiguousarray(np.broadcast_to(inputs[0], node.attrs["shape"]))]


def _tflite_read(ctx) -> dict:
    shape = ctx.input(1)
    if shape is None or shape.dtype not in ("int32", "int64") or len(shape.shape) != 1:
        raise ctx.fail("the shape operand must be a 1-D int32 or int64 tensor")
    return {"shape": tuple(int(v) for v in ctx.const(1, "BROADCAST_TO shape"))}


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [*inputs[:1], ctx.const_int32(node, "shape", node.attrs["shape"])]


TFLITE = _tflite.TFLite("BROADCAST_TO", operands=1, read=_tflite_read, write=_tflite_write)
