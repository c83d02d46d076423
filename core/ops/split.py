"""SPLIT into equal parts along a constant axis (TFLite's operands: axis first, then the input).
TFLM copies bytes: quantised outputs must share the input's scale and zero point."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "split"
INPUTS = ("input",)
ATTRS = {"axis": 0, "num_splits": None}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}*" for d in DTYPES)      # input -> every output alike
SHARES_INPUT_QUANT = True
AXIS_ATTRS = {"axis": "axis"}


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axis = mv.resolve_axis(node, len(x.shape))
    n = len(node.outputs)
    num = node.attrs["num_splits"]
    if num is not None and int(num) != n:
        raise c.fail(node, f"num_splits {num} differs from its {n} outputs")
    if x.shape[axis] % n:
        raise c.fail(node, f"dimension {axis} of the input {x.shape} does not split into {n} equal parts")
    shape = list(x.shape)
    shape[axis] //= n
    return [tuple(shape)] * n


prepare = mv.prepare_copy(DTYPES)


def run(node, g, inputs, p):
    return [np.ascontiguousarray(v) for v in np.split(inputs[0], len(node.outputs), axis=node.attrs["axis"])]


def _tflite_read(ctx) -> dict:
    axis = tuple(int(v) for v in np.asarray(ctx.const(0, "SPLIT axis")).reshape(-1))
    if len(axis) != 1:
        raise ctx.fail(f"the axis operand holds {len(axis)} values, not one")
    o = ctx.o
    return {"axis": axis[0], "num_splits": int(getattr(o, "numSplits", 0)) if o is not None else 0}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.numSplits = len(node.outputs)
    return ctx.builtin, opt, [ctx.const_int32(node, "axis", [node.attrs["axis"]]), *inputs]


TFLITE = _tflite.TFLite("SPLIT", "SplitOptions", inputs=(1,), read=_tflite_read, write=_tflite_write)
