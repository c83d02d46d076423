"""ADD_N: the elementwise sum of any number of same-shape tensors, as TFLM's reference AddN:
input 0, then each later input added in order (float32 rounding in that order), at least two
inputs. The installed TFLM's Prepare refuses int32. int8 (inputs sharing one scale and zero point) as
TFLM's reference AddN: each x - zp shifted left by 20, halved by a Q31 multiplier, summed in int32
(wrapping), rescaled by 2 s_in / (2^20 s_out), + out_zp, clamped; the sum starts from the halved
-zp (TFLM's `x = input1_offset`), so the output carries one extra -zp / 2 input steps, as TFLM's."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "add_n"
INPUTS = ("inputs*",)
ATTRS: dict = {}
DTYPES = ("int8", "float32")
LEFT_SHIFT = 20                                        # TFLM's kAddNIntegerShift
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
        raise c.fail(node, "inputs must all be float32 or all int8", hint="supported: " + ", ".join(DTYPES))
    if dtype == "float32":
        return {"dtype": dtype}
    return _int8_params(node, g)


def _int8_params(node, g):
    first, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    for t in (*(g.tensors[n] for n in node.inputs), out):
        if t.quant is None or t.quant.per_channel:
            raise c.fail(node, f"tensor {t.name!r} needs one (per-tensor) scale and zero point")
    for n in node.inputs[1:]:
        t = g.tensors[n]
        if t.quant.zp != first.quant.zp or np.float32(t.quant.s) != np.float32(first.quant.s):
            raise c.fail(node, f"input {t.name!r} is quantised differently from {first.name!r} (scale "
                               f"{float(t.quant.s):g} zero point {t.quant.zp} vs {float(first.quant.s):g}, "
                               f"{first.quant.zp})", hint="TF Lite Micro's int8 ADD_N needs one input quantisation")
    twice = 2 * float(np.float32(first.quant.s))
    in_m, in_s = ql.rescale_below_one(float(np.float32(first.quant.s)) / twice, f"{ql.tensor_scale(first)} / 2x itself")
    out_m, out_s = ql.rescale_below_one(twice / ((1 << LEFT_SHIFT) * float(np.float32(out.quant.s))),
                                        f"2 x {ql.tensor_scale(first)} / (2^20 x {ql.tensor_scale(out)})")
    return {"dtype": "int8", "input_offset": -int(first.quant.zp), "output_zp": int(out.quant.zp),
            "input_multiplier": in_m, "input_shift": in_s, "output_multiplier": out_m, "output_shift": out_s}


def run(node, g, inputs, p):
    if p["dtype"] == "float32":
        total = inputs[0].astype(np.float32).copy()
        for x in inputs[1:]:
            total = (total + x.astype(np.float32)).astype(np.float32)
        return [total]

    def scaled(v):
        return fp.multiply_by_quantized_multiplier(fp.wrap32(v * (1 << LEFT_SHIFT)), p["input_multiplier"],
                                                   p["input_shift"])
    off = p["input_offset"]
    acc = scaled(np.full(inputs[0].shape, off, np.int64))
    for x in inputs:
        acc = fp.wrap32(acc + scaled(x.astype(np.int64) + off))
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(acc, p["output_multiplier"], p["output_shift"]) + p["output_zp"])
    return [np.clip(y, -128, 127).astype(np.int8)]
