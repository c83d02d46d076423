"""GATHER: slices of the input along `axis` picked by int32 positions, with TFLM's batch_dims.
Constant positions must be inside [0, dimension) (checked here, at compile time); positions computed at
run time (e.g. a WHILE loop's counter) are checked on every invoke, as TFLM does: a position outside
makes TFLM fail the invoke, the reference raise a TinyccError and the C return
NAME_ERROR_INDEX_OUT_OF_RANGE before copying anything. The kernel copies bytes, so quantised input and
output share scale and zero point."""
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
    if pos.is_const:
        _check_positions(node, np.asarray(pos.data), pos.name, axis, x.shape)
    size = [int(np.prod(s, dtype=np.int64)) for s in (x.shape[:bd], x.shape[bd:axis], x.shape[axis + 1:],
                                                     pos.shape[bd:])]
    return {"dtype": dtype, "batch": size[0], "outer": size[1], "inner": size[2], "coords": size[3],
            "axis_size": int(x.shape[axis]), "axis": axis, "input_shape": tuple(x.shape),
            "positions": pos.name, "runtime": not pos.is_const}


def _check_positions(node, data, name, axis, shape, when="", hint="TFLM fails the invoke on it"):
    data = data.reshape(-1)
    bad = np.flatnonzero((data < 0) | (data >= shape[axis]))
    if bad.size:
        raise c.fail(node, f"position {int(data[bad[0]])} (entry {int(bad[0])} of {name!r}{when}) is outside "
                           f"[0, {shape[axis]}) for axis {axis} of the input {shape}", hint=hint)


def run(node, g, inputs, p):
    if p["runtime"]:
        _check_positions(node, np.asarray(inputs[1]), p["positions"], p["axis"], p["input_shape"],
                         when=", computed at run time",
                         hint="TFLM fails the invoke on it; the C returns NAME_ERROR_INDEX_OUT_OF_RANGE")
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
