"""SUB with broadcasting, as TFLM's reference Sub: ADD's rescaling with the second input subtracted."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _binary, _tflite, add

NAME = "sub"
ONNX_OP = "Sub"                   # one node of this ONNX operator is one of this op
INPUTS, ATTRS, DTYPES = _binary.INPUTS, _binary.ATTRS, _binary.DTYPES
SIGNATURES = _binary.SIGNATURES
ELEMENTWISE, FUSED_ACTIVATION, IN_PLACE = True, True, "elementwise"
TFLITE = _tflite.TFLite("SUB", "SubOptions", read=_tflite.read_activation, write=_tflite.write_activation)
infer = _binary.infer


def prepare(node, g):
    dtype = _binary.check(node, g)
    if dtype == "float32":
        return {"dtype": dtype}
    if dtype == "int32":
        return _binary.int32_params(node, activation=True)
    return {"dtype": dtype, **add.scale_params(node, g)}


def run(node, g, inputs, p):
    a, b = inputs
    if p["dtype"] == "int32":
        return _binary.int32_result(a.astype(np.int64) - b, p)
    if p["dtype"] == "float32":
        return _binary.float_result(node, a.astype(np.float32) - b.astype(np.float32))
    x1, x2 = add.scaled_inputs(a, b, p)
    return add.finish(x1 - x2, p)


def macs(node, g):
    return g.tensors[node.outputs[0]].size
