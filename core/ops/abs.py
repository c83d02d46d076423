"""ABS: |x|. float32; int8 and int16 quantised as TFLM's AbsEvalQuantized: |x - zp_in| (int32), rescaled
by MultiplyByQuantizedMultiplier(s_in / s_out, in double) only when the float32 scales differ, plus
zp_out, clamped; int16 needs zero points 0. An int16 input without quantisation parameters is a
plain integer, as TFLM's AbsEval takes it: std::abs, so -32768 stays -32768 (the output's own
quantisation, if any, is ignored); a quantised input needs a quantised output (TFLM's Prepare)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _map, _tflite, _unary
from tinycc.core.ops import common as c

NAME = "abs"
ONNX_OP = "Abs"                   # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8", "int16")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
ELEMENTWISE, IN_PLACE = True, "elementwise"
TFLITE = _tflite.TFLite("ABS")


def plain_integers(node, g) -> bool:
    """An int16 input without quantisation parameters: TFLM takes its values as plain integers."""
    x = g.tensors[node.inputs[0]]
    return x.dtype == "int16" and x.quant is None


def prepare(node, g):
    dtype = _map.check_types(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if dtype == "float32":
        return {"dtype": dtype}
    if plain_integers(node, g):
        return {"dtype": dtype, "plain": True}
    for t in (x, out):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} is {dtype} but has no quantisation parameters")
    if dtype == "int16":
        ql.require_int16_zero_point_0((x, out), "ABS")
    rescale = np.float32(x.quant.s) != np.float32(out.quant.s)
    m, s = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}") \
        if rescale else (0, 0)
    return {"dtype": dtype, "input_zp": x.quant.zp, "output_zp": out.quant.zp,
            "rescale": bool(rescale), "multiplier": m, "shift": s}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        return [np.abs(x)]
    if p.get("plain"):                           # std::abs in int, cast back: |-32768| wraps to -32768
        return [np.abs(x.astype(np.int32)).astype(np.int16)]
    v = np.abs(x.astype(np.int64) - p["input_zp"])
    if p["rescale"]:
        v = fp.multiply_by_quantized_multiplier(v, p["multiplier"], p["shift"])
    lo, hi = c.INT_RANGES[p["dtype"]]
    return [np.clip(fp.wrap32(v + p["output_zp"]), lo, hi).astype(p["dtype"])]
