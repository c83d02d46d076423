"""SELECT_V2: condition ? x : y elementwise, the three inputs broadcast against each other (TFLM's
select.cc: Select, or BroadcastSelect5DSlow, so at most 5 dimensions when they broadcast).
Quantised x and y are selected as stored, without rescaling (they and the output share one
quantisation)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "select_v2"
ONNX_OP = "Where"                 # one node of this ONNX operator is one of this op
INPUTS = ("condition", "x", "y")
ATTRS: dict = {}
DTYPES = ("bool",)                       # the condition's; x, y and the output: VALUE_DTYPES
VALUE_DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"bool, {d}, {d} -> {d}" for d in VALUE_DTYPES)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("SELECT_V2")
MAX_BROADCAST_RANK = 5


def infer(node, g):
    shapes = [tuple(g.tensors[n].shape) for n in node.inputs]
    try:
        shape = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise c.fail(node, f"input shapes {', '.join(map(str, shapes))} do not broadcast") from None
    if len(shape) > MAX_BROADCAST_RANK and len(set(shapes)) > 1:
        raise c.fail(node, f"the result has {len(shape)} dimensions; TF Lite Micro's SELECT_V2 broadcasts at most "
                           f"{MAX_BROADCAST_RANK}", hint="reshape the operands to fewer dimensions")
    return [shape]


def prepare(node, g):
    cond, x, y = (g.tensors[n] for n in node.inputs)
    if cond.dtype != "bool":
        raise c.fail(node, f"condition {cond.name!r} is {cond.dtype}, not bool")
    if x.dtype not in VALUE_DTYPES or y.dtype != x.dtype:
        raise c.fail(node, f"x and y are {x.dtype} and {y.dtype}", hint="supported: " + ", ".join(VALUE_DTYPES))
    return {"dtype": x.dtype}


def run(node, g, inputs, p):
    cond, x, y = inputs
    return [np.where(np.asarray(cond, dtype=np.bool_), x, y).astype(p["dtype"])]
