"""REDUCE_ALL: logical AND over the given axes of a bool tensor, as TFLM's reduce kernel (EvalAll).

An output element is true when every element of its reduced box is (an empty box gives true).
Refused: no axes, out-of-range axes, a non-bool output, more than 6 dimensions.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _reduce, _tflite

NAME = "reduce_all"
INPUTS, ATTRS, AXIS_ATTRS, infer = _reduce.INPUTS, _reduce.ATTRS, _reduce.AXIS_ATTRS, _reduce.infer
DTYPES = ("bool",)
SIGNATURES = ("bool -> bool",)


def prepare(node, g):
    dtype, axes, count = _reduce.check(node, g, DTYPES)
    return {"dtype": dtype, "axes": axes, "count": count}


def run(node, g, inputs, p):
    rows = _reduce.rows(inputs[0], p["axes"])
    y = np.all(rows, axis=1) if rows.shape[1] else np.ones(rows.shape[0], np.bool_)
    return [np.asarray(y, np.bool_).reshape(g.tensors[node.outputs[0]].shape)]


TFLITE = _tflite.TFLite("REDUCE_ALL", "ReducerOptions", operands=1, read=_reduce.read, write=_reduce.write)
