"""ELU: x < 0 ? exp(x) - 1 : x. float32 (std::expm1); int8 as TFLM's 256-entry table
(PopulateLookupTable, in float32): dequantise, transform, round(t * (1 / s_out)) half away from
zero, + zp_out, clamp. A scale ratio whose table leaves int32 is refused (TFLM's float -> int32
conversion is undefined there)."""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _map, _tflite, _unary
from tinycc.core.ops import common as c

NAME = "elu"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
ELEMENTWISE, IN_PLACE = True, "elementwise"
TFLITE = _tflite.TFLite("ELU")


def _rescaled(s_in, zp_in, s_out, zp_out) -> np.ndarray:
    """round(transform(dequantised)) + zp_out for every int8 input, in float32 as TFLM."""
    f32 = np.float32
    with np.errstate(all="ignore"):
        deq = f32(s_in) * (np.arange(-128, 128) - zp_in).astype(f32)
        exp = np.exp(deq.astype(np.float64)).astype(f32)            # expf, correctly rounded
        t = np.where(deq < 0, exp - f32(1), deq).astype(f32)
        inv = f32(1) / f32(s_out)
        r = fp.round_half_away((t * inv).astype(f32)).astype(f32)
        return (r + f32(zp_out)).astype(f32)


def prepare(node, g):
    dtype = _map.check_types(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    for t in (x, out):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} is {dtype} but has no quantisation parameters")
    r = _rescaled(x.quant.s, x.quant.zp, out.quant.s, out.quant.zp)
    if not np.all(np.isfinite(r)) or np.any(np.abs(r.astype(np.float64)) >= 2.0 ** 31):
        raise c.fail(node, f"{ql.tensor_scale(x)} / {ql.tensor_scale(out)}: the ELU table leaves int32",
                     hint=ql.SCALE_HINT)
    return {"dtype": dtype, "input_scale": x.quant.s, "input_zp": x.quant.zp,
            "output_scale": out.quant.s, "output_zp": out.quant.zp}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        with np.errstate(all="ignore"):
            return [np.where(x < 0, np.expm1(x), x).astype(np.float32)]
    r = _rescaled(p["input_scale"], p["input_zp"], p["output_scale"], p["output_zp"]).astype(np.int64)
    return [np.clip(r, -128, 127).astype(np.int8)[x.astype(np.int64) + 128]]
