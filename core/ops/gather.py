"""GATHER: slices of the input along `axis` picked by int32 positions, with TFLM's batch_dims.
Positions must be constant here and inside [0, dimension) (TFLM checks them at run time and
fails the invoke); the kernel copies bytes, so quantised input and output share scale and zero point."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "gather"
INPUTS = ("input", "positions")
ATTRS = {"axis": 0, "batch_dims": 0}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d}, int32 -> {d}" for d in DTYPES)   # input, positions -> output (TFLM's kernel)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"axis": "axis"}


def _dims(node, g):
    x, pos = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    rank, prank = len(x.shape), len(pos.shape)
    axis = mv.axis(node, node.attrs["axis"], rank)
    bd = int(node.attrs["batch_dims"])
    if bd < 0:
        bd += prank
    if not (0 <= bd <= axis and bd < rank and bd <= prank):
        raise c.fail(node, f"batch_dims {node.attrs['batch_dims']} must be in [0, {min(axis, prank)}] "
                           f"(axis {axis}, {prank}-D positions), negatives counting from the positions' rank")
    if x.shape[:bd] != pos.shape[:bd]:
        raise c.fail(node, f"the first {bd} dimensions of the input {x.shape} and the positions {pos.shape} differ")
    return x, pos, axis, bd


def infer(node, g):
    x, pos, axis, bd = _dims(node, g)
    return [(*x.shape[:axis], *pos.shape[bd:], *x.shape[axis + 1:])]


def prepare(node, g):
    x, pos, axis, bd = _dims(node, g)
    dtype = mv.same_dtype_and_quant(node, g, [node.inputs[0], *node.outputs], "GATHER", DTYPES)
    if pos.dtype != "int32":
        raise c.fail(node, f"positions {pos.name!r} are {pos.dtype}; TFLM's GATHER takes int32 positions")
    if not pos.is_const:
        raise c.fail(node, f"positions {pos.name!r} are computed at run time; tinycc needs them constant",
                     hint="TFLM bounds-checks run-time positions on every invoke; fold them into a constant")
    data = np.asarray(pos.data).reshape(-1)
    bad = np.flatnonzero((data < 0) | (data >= x.shape[axis]))
    if bad.size:
        raise c.fail(node, f"position {int(data[bad[0]])} (entry {int(bad[0])} of {pos.name!r}) is outside "
                           f"[0, {x.shape[axis]}) for axis {axis} of the input {x.shape}",
                     hint="TFLM fails the invoke on it")
    size = [int(np.prod(s, dtype=np.int64)) for s in (x.shape[:bd], x.shape[bd:axis], x.shape[axis + 1:],
                                                     pos.shape[bd:])]
    return {"dtype": dtype, "batch": size[0], "outer": size[1], "inner": size[2], "coords": size[3],
            "axis_size": int(x.shape[axis])}


def run(node, g, inputs, p):
    x = inputs[0].reshape(p["batch"], p["outer"], p["axis_size"], p["inner"])
    pos = np.asarray(inputs[1]).reshape(p["batch"], 1, p["coords"])
    y = x[np.arange(p["batch"])[:, None, None], np.arange(p["outer"])[None, :, None], pos]
    return [np.ascontiguousarray(y)]


def _tflite_read(ctx) -> dict:
    o = ctx.o
    return {"axis": int(getattr(o, "axis", 0)) if o is not None else 0,
            "batch_dims": int(getattr(o, "batchDims", 0)) if o is not None else 0}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.axis = int(node.attrs["axis"])
    opt.batchDims = int(node.attrs["batch_dims"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("GATHER", "GatherOptions", read=_tflite_read, write=_tflite_write)
