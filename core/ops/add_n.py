"""ADD_N: the elementwise sum of any number of same-shape tensors, as TFLM's reference AddN:
input 0, then each later input added in order (float32 rounding in that order), at least two
inputs. The installed TFLM's Prepare refuses int32; its quantised int8 path is not done yet."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "add_n"
INPUTS = ("inputs*",)
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)     # every input (variadic) -> output
ELEMENTWISE = True
TFLITE = _tflite.TFLite("ADD_N")


def infer(node, g):
    shapes = [tuple(g.tensors[n].shape) for n in node.inputs]
    if len(set(shapes)) != 1:
        raise c.fail(node, f"inputs have different shapes {shapes}; ADD_N does not broadcast")
    return [shapes[0]]


def prepare(node, g):
    if len(node.inputs) < 2:
        raise c.fail(node, f"has {len(node.inputs)} input; TF Lite Micro's ADD_N needs at least 2")
    dtype = g.tensors[node.inputs[0]].dtype
    if dtype not in DTYPES or any(g.tensors[n].dtype != dtype for n in node.inputs):
        raise c.fail(node, "inputs must all be float32", hint="supported: " + ", ".join(DTYPES))
    return {"dtype": dtype}


def run(node, g, inputs, p):
    if p["dtype"] == "float32":
        total = inputs[0].astype(np.float32).copy()
        for x in inputs[1:]:
            total = (total + x.astype(np.float32)).astype(np.float32)
        return [total]
    raise ValueError(p["dtype"])
