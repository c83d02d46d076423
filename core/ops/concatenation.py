"""CONCATENATION along one axis. Quantised inputs must share the output's quantisation (TFLM
copies bytes and never rescales); a fused activation is only accepted as 'none'."""
from __future__ import annotations

import numpy as np

from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "concatenation"
INPUTS = ("inputs*",)
ATTRS = {"axis": 0, "activation": "none"}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # every input and the output alike
COMMON_QUANT = True                        # inputs quantised otherwise are requantised first
AXIS_ATTRS = {"axis": "axis"}
SPLITS_INPUTS = True                       # a tree of concatenations along the same axis is the same copy


def infer(node, g):
    xs = [g.tensors[n] for n in node.inputs]
    rank = len(xs[0].shape)
    axis = node.attrs["axis"]
    if not -rank <= axis < rank:
        raise c.fail(node, f"axis {axis} is out of range for {rank}-D inputs")
    axis %= rank
    node.attrs["axis"] = axis
    for t in xs[1:]:
        if len(t.shape) != rank or any(a != b for k, (a, b) in enumerate(zip(t.shape, xs[0].shape)) if k != axis):
            raise c.fail(node, f"input shapes {[t.shape for t in xs]} differ outside axis {axis}")
    shape = list(xs[0].shape)
    shape[axis] = sum(t.shape[axis] for t in xs)
    return [tuple(shape)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    out = g.tensors[node.outputs[0]]
    if node.attrs["activation"] != "none":
        raise c.fail(node, f"fused activation {node.attrs['activation']} is not supported on CONCATENATION")
    ql.require_int16_zero_point_0([out, *(g.tensors[n] for n in node.inputs)], "CONCATENATION")
    for n in node.inputs:
        t = g.tensors[n]
        if t.dtype != dtype:
            raise c.fail(node, f"input {n!r} is {t.dtype}, expected {dtype}")
        if dtype in ("int8", "int16") and (t.quant is None or t.quant.zp != out.quant.zp
                                           or not np.isclose(t.quant.s, out.quant.s)):
            raise c.fail(node, f"input {n!r} is quantised differently from the output; TFLM's "
                               "CONCATENATION copies bytes and would not rescale it",
                         hint="requantise the input with a QUANTIZE op first")
    return {"dtype": dtype}


def run(node, g, inputs, p):
    return [np.concatenate(inputs, axis=node.attrs["axis"])]


def _tflite_read(ctx) -> dict:
    return {"activation": ctx.activation, "axis": int(getattr(ctx.o, "axis", 0)) if ctx.o is not None else 0}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.axis = int(node.attrs["axis"])
    opt.fusedActivationFunction = ctx.activation_code
    return ctx.builtin, opt, inputs


# tensorflow/lite/micro/kernels/concatenation.cc: kMaxInputNum = 10 (Prepare refuses more)
TFLITE = _tflite.TFLite("CONCATENATION", "ConcatenationOptions", read=_tflite_read, write=_tflite_write,
                        max_inputs=10)


def node(name: str, xs: list[str], y: str, axis: int):
    """A CONCATENATION node `name` writing `y` from `xs` along `axis` (no fused activation)."""
    from tinycc.core.graph import Node
    return Node(name, NAME, list(xs), [y], {"axis": axis, "activation": "none"})
