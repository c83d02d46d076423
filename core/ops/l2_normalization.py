"""L2_NORMALIZATION over the last axis (TFLM's l2norm.cc).

float32 (reference_ops::L2Normalization): per row, the float32 sum of squares left to right, its
sqrt, at least 1e-6f, and each element divided by it.
int8 (reference_integer_ops::L2Normalization): per row, the int32 sum of (x - zp_in)^2, its inverse
square root as a multiplier and shift (GetInvSqrtQuantizedMultiplierExp: 5 Newton-Raphson steps in
gemmlowp Q3 fixed point; a sum of 0 or 1 gives INT32_MAX, shift 0), then each (x - zp_in) rescaled
by MultiplyByQuantizedMultiplier(m, shift + 7) and clamped to int8: an output of scale 1/128, zero
point 0, whatever the output tensor says, so that is the quantisation the output must have (the
TFLite spec's). No fused activation (TFLM refuses one).
Refused: more than 4 dimensions, a fused activation, an int8 output quantised otherwise, rows long
enough for the int32 sum of squares to overflow (over 33025 elements).
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _last_axis, _tflite
from tinycc.core.ops import common as c

NAME = "l2_normalization"
INPUTS = _last_axis.INPUTS
ATTRS = {"activation": "none"}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
FIXED_OUTPUT_QUANT = (1.0 / 128, 0)                     # int8 output (TFLite spec; TFLM's kernel assumes it)
MAX_DEPTH = ((1 << 31) - 1) // (255 * 255)              # the int32 sum of squares cannot overflow
EPSILON = np.float32(1e-6)


infer = _last_axis.infer


def prepare(node, g):
    p = _last_axis.prepare_rows(node, g, DTYPES, max_rank=4)
    if node.attrs["activation"] != "none":
        raise c.fail(node, f"fused activation {node.attrs['activation']} is not supported",
                     hint="TF Lite Micro's L2_NORMALIZATION refuses fused activations")
    if p["dtype"] == "float32":
        return p
    _last_axis.check_int8_rows(node, g, p, FIXED_OUTPUT_QUANT, "1/128", MAX_DEPTH, "the int32 sum of squares")
    return {**p, "input_zp": int(g.tensors[node.inputs[0]].quant.zp)}


def run(node, g, inputs, p):
    x = inputs[0]
    rows = x.reshape(p["rows"], p["depth"])
    if p["dtype"] == "float32":
        squares = (rows * rows).astype(np.float32)
        total = np.cumsum(squares, axis=1, dtype=np.float32)[:, -1] if p["depth"] else np.zeros(p["rows"], np.float32)
        norm = np.maximum(np.sqrt(total.astype(np.float32)), EPSILON).astype(np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            return [(rows / norm[:, None]).astype(np.float32).reshape(x.shape)]
    centred = rows.astype(np.int64) - p["input_zp"]
    acc = (centred * centred).sum(axis=1)
    out = np.empty(rows.shape, dtype=np.int64)
    mults, shifts = fp.inv_sqrt_multiplier_exp(acc)
    for r in range(p["rows"]):
        m, shift = int(mults[r]), int(shifts[r])
        out[r] = fp.multiply_by_quantized_multiplier(centred[r], m, shift + 7)
    return [np.clip(out, -128, 127).astype(np.int8).reshape(x.shape)]


def macs(node, g):
    return 2 * g.tensors[node.inputs[0]].size


TFLITE = _tflite.TFLite("L2_NORMALIZATION", "L2NormOptions", read=_tflite.read_activation,
                        write=_tflite.write_activation)
