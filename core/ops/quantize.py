"""QUANTIZE: float32 -> int8/int16 (AffineQuantize: round(x / scale) + zp in float32, half away
from zero), or integer -> integer requantisation (TFLM's Requantize: double-rounding rescale by
s_in/s_out). Per-tensor quantisation only, as in TFLM."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "quantize"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8", "int16")
SIGNATURES = tuple(f"{i} -> {o}" for i in DTYPES for o in ("int8", "int16"))
ELEMENTWISE, CONVERTS_DTYPE = True, True
TFLITE = _tflite.TFLite("QUANTIZE")
OUTPUTS = ("int8", "int16")


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype not in OUTPUTS or out.quant is None:
        raise c.fail(node, f"output must be a quantised int8 or int16 tensor, got {out.dtype}")
    if out.quant.per_channel:
        raise c.fail(node, "per-channel output quantisation is not supported", hint="TFLM supports per-tensor only")
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
    y = fp.multiply_by_quantized_multiplier(x.astype(np.int64) - p["input_zp"], p["multiplier"], p["shift"])
    return [np.clip(fp.wrap32(y + p["output_zp"]), p["act_min"], p["act_max"]).astype(p["out_dtype"])]


def node(name: str, x: str, y: str):
    """A QUANTIZE node `name` writing `y` from `x` (float -> integer, or integer requantisation)."""
    from tinycc.core.graph import Node
    return Node(name, NAME, [x], [y])
