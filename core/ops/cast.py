"""CAST: each element converted to the output's dtype, as TFLM's cast.cc does it (quantisation
parameters are ignored: raw values). Types: float32, int8, int16, int32, uint32 and bool, both ways.

float -> integer truncates toward zero and saturates at the type's bounds, NaN giving 0 (what the
TFLM build computes); integer -> narrower integer wraps (two's complement); anything -> bool is
`x != 0` (NaN is true); bool -> anything is 0 or 1; int32 -> float32 rounds to nearest even."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary
from tinycc.core.ops import common as c

NAME = "cast"
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32", "int8", "int16", "int32", "uint32", "bool")
SIGNATURES = tuple(f"{i} -> {o}" for i in DTYPES for o in DTYPES)
ELEMENTWISE, CONVERTS_DTYPE, RAW_INTEGERS = True, True, True   # raw values: quantisation optional, ignored
TFLITE = _tflite.TFLite("CAST")


def prepare(node, g):
    dtype = _map.check_types(node, g, DTYPES, same=False)
    out = g.tensors[node.outputs[0]].dtype
    if out not in DTYPES:
        raise c.fail(node, f"output dtype {out} is not supported", hint=f"supported: {', '.join(DTYPES)}")
    return {"dtype": dtype, "out_dtype": out}


def run(node, g, inputs, p):
    x, out = inputs[0], p["out_dtype"]
    if out == "bool":
        return [np.asarray(x != 0)]
    if p["dtype"] == "float32" and out != "float32":
        lo, hi = c.INT_RANGES[out]
        v = np.nan_to_num(x.astype(np.float64), nan=0.0)      # +-inf become +-DBL_MAX, then the bounds
        return [np.trunc(np.clip(v, lo, hi)).astype(out)]
    return [x.astype(out)]                                   # integers wrap, int32 -> float32 rounds to even
