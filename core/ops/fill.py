"""FILL: a tensor of the given shape, every element the scalar value (TFLite's operands: dims
first, then the value). A quantised output shares the value's scale and zero point."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "fill"
INPUTS = ("value",)
ATTRS = {"shape": ()}
DTYPES = ("int8", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # value dtype -> output dtype (TFLM's kernel)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def infer(node, g):
    v = g.tensors[node.inputs[0]]
    if v.shape:
        raise c.fail(node, f"the value {v.name!r} has shape {v.shape}; TFLM's FILL takes a scalar")
    shape = tuple(int(d) for d in node.attrs["shape"])
    if any(d < 1 for d in shape):
        raise c.fail(node, f"the shape {shape} has a dimension below 1")
    node.attrs["shape"] = shape
    return [shape]


def prepare(node, g):
    return {"dtype": mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "FILL", DTYPES)}


def run(node, g, inputs, p):
    return [np.full(node.attrs["shape"], np.asarray(inputs[0]).reshape(()))]


def _tflite_read(ctx) -> dict:
    dims = ctx.input(0)
    if dims is not None and dims.data is not None:
        if len(dims.shape) != 1 or dims.dtype not in ("int8", "int16", "int32", "int64"):
            raise ctx.fail(f"the dims operand must be a 1-D integer tensor, got {dims.dtype} {dims.shape}")
        shape = tuple(int(d) for d in dims.data)
        if shape != tuple(ctx.output(0).shape):
            raise ctx.fail(f"dims {shape} differ from the output's shape {tuple(ctx.output(0).shape)}",
                           hint="TF Lite Micro refuses it too")
        return {"shape": shape}
    return {"shape": tuple(int(d) for d in ctx.output(0).shape)}   # run-time dims: TFLM uses the output's


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [ctx.const_int32(node, "dims", node.attrs["shape"]), *inputs]


TFLITE = _tflite.TFLite("FILL", inputs=(1,), read=_tflite_read, write=_tflite_write)
