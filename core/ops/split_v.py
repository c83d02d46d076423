"""SPLIT_V into parts of given sizes along a constant axis (one size may be -1: the rest).
TFLM copies bytes: quantised outputs must share the input's scale and zero point."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "split_v"
INPUTS = ("input",)
ATTRS = {"size_splits": (), "axis": 0}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}*" for d in DTYPES)      # input -> every output alike
SHARES_INPUT_QUANT = True
AXIS_ATTRS = {"axis": "axis"}


def sizes(node, g) -> list[int]:
    """The resolved part sizes (a -1 becomes what the others leave)."""
    x = g.tensors[node.inputs[0]]
    axis = mv.axis(node, node.attrs["axis"], len(x.shape))
    parts = [int(v) for v in node.attrs["size_splits"]]
    if len(parts) != len(node.outputs):
        raise c.fail(node, f"size_splits {tuple(parts)} gives {len(parts)} parts for {len(node.outputs)} outputs")
    if parts.count(-1) > 1 or any(v < -1 or v == 0 for v in parts):
        raise c.fail(node, f"size_splits {tuple(parts)}: sizes must be positive, at most one -1")
    known = sum(v for v in parts if v != -1)
    if -1 in parts:
        parts[parts.index(-1)] = x.shape[axis] - known
    if sum(parts) != x.shape[axis] or min(parts) < 1:
        raise c.fail(node, f"size_splits {tuple(node.attrs['size_splits'])} do not add up to dimension "
                           f"{axis} of the input {x.shape}")
    return parts


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axis = mv.axis(node, node.attrs["axis"], len(x.shape))
    parts = sizes(node, g)
    node.attrs["axis"] = axis
    return [tuple(v if k == axis else d for k, d in enumerate(x.shape)) for v in parts]


def prepare(node, g):
    dtype = mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "SPLIT_V", DTYPES)
    return {"dtype": dtype, "sizes": sizes(node, g)}


def run(node, g, inputs, p):
    cuts = np.cumsum(p["sizes"])[:-1]
    return [np.ascontiguousarray(v) for v in np.split(inputs[0], cuts, axis=node.attrs["axis"])]


def _tflite_read(ctx) -> dict:
    axis = tuple(int(v) for v in np.asarray(ctx.const(2, "SPLIT_V axis")).reshape(-1))
    if len(axis) != 1:
        raise ctx.fail(f"the axis operand holds {len(axis)} values, not one")
    given = ctx.input(1)
    if given is not None and given.data is not None:
        parts = tuple(int(v) for v in given.data.reshape(-1))
    else:                   # TFLM reads the parts' sizes from the outputs' shapes, not this operand
        rank = len(ctx.x.shape)
        if not -rank <= axis[0] < rank:
            raise ctx.fail(f"axis {axis[0]} is out of range for a {rank}-D input")
        parts = tuple(int(ctx.output(k).shape[axis[0] % rank]) for k in range(len(ctx.outs)))
    return {"axis": axis[0], "size_splits": parts}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.numSplits = len(node.outputs)
    return ctx.builtin, opt, [*inputs, ctx.const_int32(node, "size_splits", node.attrs["size_splits"]),
                              ctx.const_int32(node, "axis", [node.attrs["axis"]])]


TFLITE = _tflite.TFLite("SPLIT_V", "SplitVOptions", operands=1, read=_tflite_read, write=_tflite_write)
