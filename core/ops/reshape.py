"""RESHAPE: same bytes, new shape. Quantisation must be unchanged (TFLM copies the data)."""
from __future__ import annotations

import math

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "reshape"
INPUTS = ("input",)
ATTRS = {"shape": ()}
DTYPES = ("int8", "int16", "int32", "float32", "uint8")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
SHARES_INPUT_QUANT, VALUE_PRESERVING, VIEW = True, True, True
AXIS_ATTRS = {"shape": "per_axis"}


def infer(node, g):
    ins, outs = c.tensors(node, g)
    x = ins[0]
    shape = [int(d) for d in (node.attrs["shape"] or outs[0].shape)]
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise c.fail(node, f"target shape {tuple(shape)} has negative dimensions (only one -1 may be inferred)")
    if -1 in shape:
        known = math.prod(d for d in shape if d != -1) or 1
        shape[shape.index(-1)] = x.size // known
    if math.prod(shape) != x.size:
        raise c.fail(node, f"cannot reshape {x.shape} ({x.size} elements) to {tuple(shape)}")
    return [tuple(shape)]


def prepare(node, g):
    ins, (out,) = c.tensors(node, g)
    if ins[0].dtype in ("int8", "int16") and ins[0].dtype == out.dtype and ins[0].quant is None and out.quant is None:
        return {"dtype": ins[0].dtype}        # plain integers (the audio front end's frames): the same bytes
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype in ("int8", "int16") and (ins[0].quant.zp != out.quant.zp or
                                       not np.isclose(ins[0].quant.s, out.quant.s)):
        raise c.fail(node, "input and output quantisation differ; RESHAPE cannot rescale")
    return {"dtype": dtype}


def run(node, g, inputs, p):
    return [inputs[0].reshape(g.tensors[node.outputs[0]].shape)]


def _tflite_read(ctx) -> dict:
    return {"shape": tuple(ctx.output(0).shape)}          # the new shape operand / options are redundant


def _tflite_write(ctx, node, inputs):
    shape = ctx.g.tensors[node.outputs[0]].shape
    inputs = inputs[:1] + [ctx.const_int32(node, "shape", shape)]
    opt = ctx.options()
    opt.newShape = np.array(shape, dtype=np.int32)
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("RESHAPE", "ReshapeOptions", operands=1, read=_tflite_read, write=_tflite_write)
