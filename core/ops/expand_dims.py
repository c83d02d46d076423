"""EXPAND_DIMS: insert one size-1 dimension at `axis` (-rank-1 <= axis <= rank). Same bytes, new
shape: a view the planner aliases, like RESHAPE. TFLite gives the axis as a constant int32 operand
of one element (TFLM refuses a non-constant or non-int32 one); it becomes the `axis` attribute."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite, squeeze
from tinycc.core.ops import common as c

NAME = "expand_dims"
INPUTS = ("input",)
ATTRS = {"axis": 0}
DTYPES = ("int8", "int16", "float32")                  # TFLM's ExpandDimsEval: these three only
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
SHARES_INPUT_QUANT, VALUE_PRESERVING, VIEW = True, True, True
AXIS_ATTRS = {"axis": "axis"}


def infer(node, g):
    shape = g.tensors[node.inputs[0]].shape
    rank, axis = len(shape), int(node.attrs["axis"])
    if not -rank - 1 <= axis <= rank:
        raise c.fail(node, f"axis {axis} is out of range for a {rank}-D input",
                     hint=f"EXPAND_DIMS takes an axis from {-rank - 1} to {rank}")
    k = axis + rank + 1 if axis < 0 else axis
    return [(*shape[:k], 1, *shape[k:])]


def prepare(node, g):
    return squeeze.view_prepare(node, g, "EXPAND_DIMS", DTYPES)


def run(node, g, inputs, p):
    return [inputs[0].reshape(g.tensors[node.outputs[0]].shape)]


def _tflite_read(ctx) -> dict:
    t = ctx.input(1)
    if t is None:
        raise ctx.fail("the axis operand is missing")
    data = ctx.const(1, "the axis of EXPAND_DIMS")
    if t.dtype != "int32" or np.asarray(data).size != 1:
        raise ctx.fail(f"the axis operand {t.name!r} is {t.dtype} of shape {t.shape}; EXPAND_DIMS takes one int32",
                       hint="TF Lite Micro reads the first element of a constant int32 tensor")
    return {"axis": int(np.asarray(data).reshape(-1)[0])}


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, ctx.options(), inputs[:1] + [ctx.const_int32(node, "axis", [int(node.attrs["axis"])])]


TFLITE = _tflite.TFLite("EXPAND_DIMS", "ExpandDimsOptions", operands=1, read=_tflite_read, write=_tflite_write)
