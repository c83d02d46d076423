"""MUL with broadcasting, as TFLM's reference Mul: (x1 - zp1) * (x2 - zp2) rescaled by s1*s2/so."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _binary, _tflite
from tinycc.core.ops import common as c

NAME = "mul"
ONNX_OP = "Mul"                   # one node of this ONNX operator is one of this op
INPUTS, ATTRS, DTYPES = _binary.INPUTS, _binary.ATTRS, _binary.DTYPES
SIGNATURES = _binary.SIGNATURES
ELEMENTWISE, FUSED_ACTIVATION, IN_PLACE = True, True, "elementwise"
TFLITE = _tflite.TFLite("MUL", "MulOptions", read=_tflite.read_activation, write=_tflite.write_activation)
infer = _binary.infer


def prepare(node, g):
    dtype = _binary.check(node, g)
    if dtype == "float32":
        return {"dtype": dtype}
    if dtype == "int32":
        return _binary.int32_params(node, activation=True)
    a, b = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    ql.require_int16_zero_point_0((a, b, out), "MUL")
    m, s = ql.rescale(a.quant.s * b.quant.s / out.quant.s,
                      f"{ql.tensor_scale(a)} x {ql.tensor_scale(b)} / {ql.tensor_scale(out)}")
    lo, hi = c.activation_range(node.attrs["activation"], out)
    return {"dtype": dtype, "input1_zp": a.quant.zp, "input2_zp": b.quant.zp, "output_zp": out.quant.zp,
            "multiplier": m, "shift": s, "act_min": lo, "act_max": hi}


def run(node, g, inputs, p):
    a, b = inputs
    if p["dtype"] == "int32":
        return _binary.int32_result(a.astype(np.int64) * b, p)
    if p["dtype"] == "float32":
        return _binary.float_result(node, a.astype(np.float32) * b.astype(np.float32))
    prod = fp.wrap32((a.astype(np.int64) - p["input1_zp"]) * (b.astype(np.int64) - p["input2_zp"]))
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(prod, p["multiplier"], p["shift"]) + p["output_zp"])
    return [np.clip(y, p["act_min"], p["act_max"]).astype(p["dtype"])]


def macs(node, g):
    return g.tensors[node.outputs[0]].size
