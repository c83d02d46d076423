"""RESHAPE: same bytes, new shape. Quantisation must be unchanged (TFLM copies the data)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

NAME = "reshape"
INPUTS = ("input",)
ATTRS = {"shape": ()}
DTYPES = ("int8", "int16", "int32", "float32", "uint8")


def infer(node, g):
    ins, outs = c.tensors(node, g)
    x = ins[0]
    shape = list(node.attrs["shape"] or outs[0].shape)
    if shape.count(-1) > 1:
        raise c.fail(node, f"target shape {tuple(shape)} has more than one -1")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1])) or 1
        shape[shape.index(-1)] = x.size // known
    if int(np.prod(shape)) != x.size:
        raise c.fail(node, f"cannot reshape {x.shape} ({x.size} elements) to {tuple(shape)}")
    return [tuple(shape)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    ins, (out,) = c.tensors(node, g)
    if dtype in ("int8", "int16") and (ins[0].quant.zp != out.quant.zp or
                                       not np.isclose(ins[0].quant.s, out.quant.s)):
        raise c.fail(node, "input and output quantisation differ; RESHAPE cannot rescale")
    return {"dtype": dtype}


def run(node, g, inputs, p):
    return [inputs[0].reshape(g.tensors[node.outputs[0]].shape)]
