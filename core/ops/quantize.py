"""QUANTIZE: float32 -> int8/int16 (AffineQuantize: round(x / scale) + zp in float32, half away
from zero), or integer -> integer requantisation (TFLM's Requantize: (x - in_zp) rescaled by
s_in/s_out with double rounding, + out_zp, clamped to the output type), for the pairs TFLM's
quantize_common.cc runs: int8/int16 -> int8/int16, int32 -> int8/int16, int8/int16 -> int32,
int8 <-> uint8. Per-tensor quantisation only, as in TFLM. The int32 subtraction and the zero point's
add wrap, as TFLM's int32 arithmetic does on every target."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "quantize"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
PAIRS = (("float32", "int8"), ("float32", "int16"), ("int8", "int8"), ("int8", "int16"), ("int16", "int8"),
         ("int16", "int16"), ("int32", "int8"), ("int32", "int16"), ("int8", "int32"), ("int16", "int32"),
         ("int8", "uint8"), ("uint8", "int8"))
DTYPES = tuple(dict.fromkeys(i for i, _ in PAIRS))
SIGNATURES = tuple(f"{i} -> {o}" for i, o in PAIRS)
ELEMENTWISE, CONVERTS_DTYPE = True, True
TFLITE = _tflite.TFLite("QUANTIZE")
OUTPUTS = tuple(dict.fromkeys(o for _, o in PAIRS))


def prepare(node, g):
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    dtype = x.dtype
    if (dtype, out.dtype) not in PAIRS:
        raise c.fail(node, f"QUANTIZE from {dtype} to {out.dtype} is not supported",
                     hint="supported: " + ", ".join(f"{i} -> {o}" for i, o in PAIRS))
    for t in (x, out) if dtype != "float32" else (out,):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} is {t.dtype} but has no quantisation parameters")
        if t.quant.per_channel:
            raise c.fail(node, f"tensor {t.name!r} is quantised per channel",
                         hint="TFLM's QUANTIZE supports per-tensor quantisation only")
    lo, hi = c.INT_RANGES[out.dtype]
    p = {"dtype": dtype, "out_dtype": out.dtype, "output_zp": out.quant.zp, "act_min": lo, "act_max": hi}
    if dtype == "float32":
        return {**p, "scale": float(np.float32(out.quant.s))}
    m, s = ql.scale_ratio(x.quant.s, out.quant.s, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}")
    return {**p, "input_zp": x.quant.zp, "multiplier": m, "shift": s}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        r = fp.round_half_away(x.astype(np.float32) / np.float32(p["scale"]))
        r = np.clip(np.nan_to_num(r, nan=0.0, posinf=2.0 ** 30, neginf=-2.0 ** 30), -2.0 ** 30, 2.0 ** 30)
        y = r.astype(np.int64) + p["output_zp"]
        return [np.clip(y, p["act_min"], p["act_max"]).astype(p["out_dtype"])]
    centred = fp.wrap32(x.astype(np.int64) - p["input_zp"])
    y = fp.multiply_by_quantized_multiplier(centred, p["multiplier"], p["shift"])
    return [np.clip(fp.wrap32(y + p["output_zp"]), p["act_min"], p["act_max"]).astype(p["out_dtype"])]


def node(name: str, x: str, y: str):
    """A QUANTIZE node `name` writing `y` from `x` (float -> integer, or integer requantisation)."""
    from tinycc.core.graph import Node
    return Node(name, NAME, [x], [y])
