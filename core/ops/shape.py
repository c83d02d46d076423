"""SHAPE: the input's dimensions as a 1-D int32 tensor (TFLM writes int32 only). The value is
known at compile time; the kernel writes these constants."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "shape"
INPUTS = ("input",)
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32", "int64", "float32", "uint8", "bool")   # any: only the shape is read
SIGNATURES = tuple(f"{d} -> int32" for d in DTYPES)
SHAPE_ONLY = True                            # folded at compile time (core/passes/constants.py)
INT32_TYPE = 2                               # TensorType INT32, ShapeOptions.outType


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if not x.shape:
        raise c.fail(node, "the input is a scalar: its shape would be an empty tensor")
    return [(len(x.shape),)]


def prepare(node, g):
    out = g.tensors[node.outputs[0]]
    if out.dtype != "int32":
        raise c.fail(node, f"output {out.name!r} is {out.dtype}; TFLM's SHAPE writes int32 only",
                     hint="convert with out_type=tf.int32")
    return {"shape": tuple(int(d) for d in g.tensors[node.inputs[0]].shape)}


def run(node, g, inputs, p):
    return [np.array(p["shape"], dtype=np.int32)]


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.outType = INT32_TYPE
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("SHAPE", "ShapeOptions", write=_tflite_write)
