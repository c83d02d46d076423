"""REVERSE_V2 along constant axes, which must be contiguous once sorted (TFLM's Eval refuses
others); up to 6 dimensions here (the copy kernel's box)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "reverse_v2"
INPUTS = ("input",)
ATTRS = {"axes": ()}
DTYPES = ("int8", "uint8", "int16", "int32", "int64", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernel)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"axes": "axes"}
MAX_DIMS = 6


def axes(node, rank: int) -> tuple[int, ...]:
    given = tuple(int(a) for a in node.attrs["axes"])
    if not given:
        raise c.fail(node, "no axis to reverse", hint="TFLM's kernel needs at least one axis")
    got = sorted(mv.axis(node, a, rank) for a in given)
    if any(b != a + 1 for a, b in zip(got, got[1:])):
        raise c.fail(node, f"axes {given} are not contiguous (or repeat one)",
                     hint="TFLM's REVERSE_V2 refuses non-contiguous axes")
    return tuple(got)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) > MAX_DIMS:
        raise c.fail(node, f"reverse is supported up to {MAX_DIMS} dimensions, got {x.shape}")
    node.attrs["axes"] = axes(node, len(x.shape))
    return [x.shape]


def prepare(node, g):
    dtype = mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "REVERSE_V2", DTYPES)
    return {"dtype": dtype, "axes": axes(node, len(g.tensors[node.inputs[0]].shape))}


def run(node, g, inputs, p):
    return [np.ascontiguousarray(np.flip(inputs[0], p["axes"]))]


def _tflite_read(ctx) -> dict:
    axis = ctx.input(1)
    if axis is None or axis.dtype != "int32" or len(axis.shape) != 1:
        raise ctx.fail("the axis operand must be a 1-D int32 tensor (as TFLM requires)")
    return {"axes": tuple(int(v) for v in ctx.const(1, "REVERSE_V2 axis"))}


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [*inputs[:1], ctx.const_int32(node, "axes", node.attrs["axes"])]


TFLITE = _tflite.TFLite("REVERSE_V2", operands=1, read=_tflite_read, write=_tflite_write)
