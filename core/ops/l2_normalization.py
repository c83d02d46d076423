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
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "l2_normalization"
INPUTS = ("input",)
ATTRS = {"activation": "none"}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
FIXED_OUTPUT_QUANT = (1.0 / 128, 0)                     # int8 output (TFLite spec; TFLM's kernel assumes it)
MAX_DEPTH = ((1 << 31) - 1) // (255 * 255)              # the int32 sum of squares cannot overflow
EPSILON = np.float32(1e-6)


def infer(node, g):
    return [g.tensors[node.inputs[0]].shape]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if out.dtype != dtype:
        raise c.fail(node, f"output dtype {out.dtype} differs from input dtype {dtype}")
    if not 1 <= len(x.shape) <= 4:
        raise c.fail(node, f"{len(x.shape)}-D input is not supported", hint="TF Lite Micro takes 1 to 4 dimensions")
    if node.attrs["activation"] != "none":
        raise c.fail(node, f"fused activation {node.attrs['activation']} is not supported",
                     hint="TF Lite Micro's L2_NORMALIZATION refuses fused activations")
    depth = int(x.shape[-1])
    p = {"dtype": dtype, "depth": depth, "rows": int(x.size // depth) if depth else 0}
    if dtype == "float32":
        return p
    s, zp = FIXED_OUTPUT_QUANT
    if int(out.quant.zp) != zp or np.float32(out.quant.s) != np.float32(s):
        raise c.fail(node, f"output {out.name!r} has scale {float(out.quant.s):.6g} and zero point "
                           f"{int(out.quant.zp)}; TF Lite Micro's int8 kernel writes scale 1/128, zero point 0",
                     hint="quantise the output with scale 0.0078125 and zero point 0 (the TFLite spec)")
    if depth > MAX_DEPTH:
        raise c.fail(node, f"rows of {depth} elements: the int32 sum of squares could overflow",
                     hint=f"at most {MAX_DEPTH} elements along the last axis")
    return {**p, "input_zp": int(x.quant.zp)}


def inv_sqrt_multiplier(acc: int) -> tuple[int, int]:
    """GetInvSqrtQuantizedMultiplierExp(acc, reverse_shift=-1): (multiplier, left shift)."""
    if acc <= 1:
        return (1 << 31) - 1, 0
    shift = 11
    while acc >= (1 << 29):
        acc //= 4
        shift += 1
    clz = 32 - acc.bit_length()
    pairs = (clz - 1) // 2 - 1
    shift -= pairs
    acc <<= 2 * pairs
    half_input = fp.rounding_divide_by_pot(acc >> 1, 1)
    half_three = (1 << 28) + (1 << 27)
    x: int = 1 << 28                                           # F3 one
    for _ in range(5):
        x3 = fp.rescale(fp.srdhm(fp.srdhm(x, x), x), 9, 3)
        x = int(fp.rescale(fp.wrap32(fp.srdhm(half_three, x) - fp.srdhm(half_input, x3)), 6, 3))
    out = int(fp.srdhm(x, 1518500250))                         # * sqrt(2) / 2 in Q0
    if shift < 0:
        out = int(fp.wrap32(np.int64(out) << -shift))
        shift = 0
    return out, -shift


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
    for r in range(p["rows"]):
        m, shift = inv_sqrt_multiplier(int(acc[r]))
        out[r] = fp.multiply_by_quantized_multiplier(centred[r], m, shift + 7)
    return [np.clip(out, -128, 127).astype(np.int8).reshape(x.shape)]


def macs(node, g):
    return 2 * g.tensors[node.inputs[0]].size


TFLITE = _tflite.TFLite("L2_NORMALIZATION", "L2NormOptions", read=_tflite.read_activation,
                        write=_tflite.write_activation)
