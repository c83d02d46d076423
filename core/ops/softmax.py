"""SOFTMAX over the last axis, as TFLM's reference Softmax.

int8 -> int8 (output scale 1/256, zero point -128) and int8 -> int16 (1/65536, -32768) use the
gemmlowp fixed-point algorithm: (x - max) * beta*scale in Q5.26, exp in Q0.31, sum in Q12.19,
reciprocal by Newton-Raphson. `exp_lut[-d]` is exp of every possible difference d in [-255, 0],
so backends need no exp routine. float32: exp((x - max) * beta) / sum.
int16 -> int16 (output scale 1/32768, zero point 0; TFLM's SoftmaxInt16): (x - max) rescaled by
QuantizeMultiplier(scale * beta / (10 / 65535)) so that [-65535, 0] is [-10, 0], recentred by
+32767 and saturated to int16, then exp from a 513-entry interpolated table; the Q16.15 sum's
reciprocal from a second table of 1 / (1 + x) after normalising by its leading zeros; each exp
times it, rounded, clamped to [0, 32767]. Both tables are TFLM's gen_lut (float32 samples of the
function with a bias that centres the interpolation error), made here in prepare.

Long rows (many classes): the result defined for every class count. TFLM's arithmetic holds the
sum of exponentials in an int32 and shifts int32 values by counts derived from it; past some sum
its C++ stops being defined. Where TFLM is defined, tinycc's result is TFLM's; beyond, it is the
continuation of TFLM's own formulas in exact (wide) integers. Per signature, with S the real sum
of exponentials (each exp <= 1, the max element's exactly 1 - 2^-31, so S >= 1):
- int8 -> int8: the output divide is RoundingDivideByPOT(p, num_bits_over_unit + 23) with
  num_bits_over_unit = floor(log2 S). From S >= 512 (sum raw >= 2^28) that exponent is >= 32:
  TFLM's TFLITE_CHECK(exponent <= 31) aborts (older builds shifted an int32 by 32, undefined).
  In exact arithmetic p < 2^31 divided by >= 2^32 rounds to 0: every output is -128 (zero
  probability), which is also the true softmax rounded, as every probability is <= 1/S <= 1/512,
  below half an output step (1/256). E.g. 1,000 near-equal classes: all -128.
- both int8 signatures: from S >= 4096 (raw >= 2^31) TFLM's int32 sum overflows (signed overflow,
  undefined). tinycc sums in 64 bits (at most 2^19 per element, so no int row can overflow it),
  num_bits_over_unit = bit_length(raw) - 20, and the Q0.31 argument of 1 / (1 + x) is the sum's
  top 32 bits less 2^31 (the bits below them truncated; none exist while raw < 2^32, where this
  is TFLM's `raw << clz32(raw)` exactly). int8 -> int16 keeps meaningful outputs there (about
  65536 / S per unit of exp); its divide exponent num_bits_over_unit + 15 passes 31 only from
  S >= 2^17, where the output is again exactly 0 (-32768).
- int16 -> int16: the Q16.15 sum passes INT32_MAX from 65,539 classes (65,538 * 32767 still
  fits): undefined in TFLM. tinycc sums in 64 bits; with L = bit_length(sum) TFLM's
  headroom_plus_one is 32 - L, its shift of the sum by headroom_plus_one - 1 = 31 - L is, for
  L >= 32, an exact right shift folded into the rounding one: (sum + 2^(L - 18)) >> (L - 17), and
  the output shift 31 - headroom_plus_one = L - 1 (outputs 0 once L - 1 > 30).
The C kernels compute the same with int64 sums and no shift of 32 or more (see softmax.h).
"""
from __future__ import annotations

import math

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "softmax"
INPUTS = ("input",)
ATTRS = {"beta": 1.0}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = ("int8 -> int8", "int8 -> int16", "int16 -> int16", "float32 -> float32")
SCALED_DIFF_INTEGER_BITS = 5
ACCUMULATION_INTEGER_BITS = 12
OUTPUT_QUANT = {"int8": (1.0 / 256, -128), "int16": (1.0 / 65536, -32768)}
FIXED_OUTPUT_QUANT = OUTPUT_QUANT["int8"]  # what post-training quantisation gives it (TFLite spec)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if not x.shape:
        raise c.fail(node, "needs at least a 1-D input")
    return [x.shape]


def check_beta(node) -> float:
    """beta must be a finite positive number: TFLM's int8 Prepare aborts the process on beta <= 0 or NaN
    (QuantizeMultiplierGreaterThanOne), and the float kernel's exp((x - max) * beta) overflows or
    gives NaN for an infinite or negative one."""
    beta = node.attrs["beta"]
    try:
        value = float(beta)
    except (TypeError, ValueError):
        raise c.fail(node, f"beta {beta!r} is not a number") from None
    if not (math.isfinite(value) and math.isfinite(float(np.float32(value))) and value > 0):
        raise c.fail(node, f"beta {value} must be a finite number > 0", hint="softmax(beta * x); the usual beta is 1")
    return value


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    beta = check_beta(node)
    if dtype == "float32":
        return {"dtype": dtype}
    if dtype == "int16":
        return _prepare_int16(node, x, out, beta)
    if out.dtype not in OUTPUT_QUANT:
        raise c.fail(node, f"int8 softmax output must be int8 or int16, got {out.dtype}")
    scale, zp = OUTPUT_QUANT[out.dtype]
    if out.quant.zp != zp or abs(out.quant.s - scale) > 1e-3 * scale:
        raise c.fail(node, f"{out.dtype} softmax output must have scale {scale:g} and zero point {zp}, "
                     f"got {out.quant.s:g} and {out.quant.zp}", hint="this is the TFLite quantisation spec")
    # PreprocessSoftmaxScaling's QuantizeMultiplierGreaterThanOne CHECKs (aborts TFLM) unless the factor
    # beta * input scale * 2^26 exceeds 1: an input step must be worth more than 2^-26 (after beta)
    real = beta * float(x.quant.s) * (1 << (31 - SCALED_DIFF_INTEGER_BITS))
    if not real > 1.0:
        raise c.fail(node, f"beta {beta:g} x input {x.name!r} scale {float(x.quant.s):.6g} = "
                           f"{beta * float(x.quant.s):.6g} is too small: one input step must be worth more "
                           "than 2^-26", hint=ql.SCALE_HINT)
    mult, left_shift = fp.preprocess_softmax_scaling(beta, x.quant.s, SCALED_DIFF_INTEGER_BITS)
    diff_min = -fp.calculate_input_radius(SCALED_DIFF_INTEGER_BITS, left_shift)
    diffs = -np.arange(256, dtype=np.int64)
    scaled = fp.multiply_by_quantized_multiplier_greater_than_one(diffs, mult, left_shift)
    exp_lut = fp.exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS)
    return {"dtype": dtype, "out_dtype": out.dtype, "input_multiplier": mult, "input_left_shift": left_shift,
            "diff_min": int(diff_min), "exp_lut": exp_lut.astype(np.int32)}


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        beta = np.float32(node.attrs["beta"])  # checked finite and > 0 by prepare
        z = np.exp(((x - x.max(axis=-1, keepdims=True)) * beta).astype(np.float32))
        return [(z / z.sum(axis=-1, keepdims=True)).astype(np.float32)]
    depth = x.shape[-1]
    rows = x.reshape(-1, depth).astype(np.int64)
    diff = rows - rows.max(axis=1, keepdims=True)
    if p["dtype"] == "int16":
        return [_run_int16(diff, p).reshape(x.shape)]
    used = diff >= p["diff_min"]
    exp_q0 = p["exp_lut"].astype(np.int64)[-diff]
    total = np.where(used, fp.rescale(exp_q0, 0, ACCUMULATION_INTEGER_BITS), 0)
    total = total.sum(axis=1, keepdims=True)                   # 64 bits: never wraps (see the docstring)
    scale, bits_over_unit = wide_reciprocal(total, ACCUMULATION_INTEGER_BITS)
    out_bits = 8 if p["out_dtype"] == "int8" else 16
    lo, hi = c.INT_RANGES[p["out_dtype"]]
    y = rounding_divide_by_pot_any(fp.srdhm(scale, exp_q0), bits_over_unit + 31 - out_bits) + lo
    y = np.where(used, np.clip(y, lo, hi), lo)
    return [y.astype(p["out_dtype"]).reshape(x.shape)]


def bit_length(x) -> np.ndarray:
    """Python's int.bit_length of every element of a non-negative int64 array (0 for 0)."""
    v = np.asarray(x, dtype=np.int64).copy()
    n = np.zeros(v.shape, dtype=np.int64)
    for step in (32, 16, 8, 4, 2, 1):
        big = v >= (np.int64(1) << step)
        n += np.where(big, step, 0)
        v = np.where(big, v >> step, v)
    return n + (v > 0)


def wide_reciprocal(total, integer_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """TFLM's GetReciprocal(x, integer_digits, &num_bits_over_unit) continued to a 64-bit sum x > 0:
    num_bits_over_unit = bit_length(x) - (32 - integer_digits), and 1 / (1 + f) of the Q0.31 f that
    is x's top 32 bits less 2^31 (lower bits truncated; while x < 2^32 there are none and this is
    TFLM's (uint32)x << clz32(x) exactly)."""
    x = np.asarray(total, dtype=np.int64)
    length = bit_length(x)
    left = np.maximum(32 - length, 0)
    right = np.maximum(length - 32, 0)
    top = (x << left) >> right                                  # in [2^31, 2^32)
    return fp.one_over_one_plus_x_for_x_in_0_1(top - (1 << 31)), length - (32 - integer_digits)


def rounding_divide_by_pot_any(x, exponent) -> np.ndarray:
    """gemmlowp's RoundingDivideByPOT of int32 values for any exponent >= 0, in exact arithmetic:
    round half away from zero of x / 2^exponent (from exponent 33 on, always 0 for an int32)."""
    return fp.rounding_divide_by_pot(x, np.minimum(np.asarray(exponent, dtype=np.int64), 33))


def macs(node, g):
    return g.tensors[node.inputs[0]].size * 3


def _tflite_read(ctx) -> dict:
    return {"beta": float(getattr(ctx.o, "beta", 0.0)) if ctx.o is not None else 0.0}   # none: TFLM reads 0


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.beta = float(node.attrs["beta"])
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("SOFTMAX", "SoftmaxOptions", read=_tflite_read, write=_tflite_write)


# --- int16 -> int16 (TFLM's SoftmaxInt16 with gen_lut tables) -----------------------------------

INT16_MAX_LEFT_SHIFT = 14        # |x - max| <= 65535 = 2^16: a larger left shift would overflow int32


def _round_away(v) -> float:
    return float(fp.round_half_away(float(v)))


def gen_lut_int16(func, lo: float, hi: float) -> np.ndarray:
    """TFLM's gen_lut<float, int16_t, int16_t>(func, lo, hi, -1, 1): 512 samples, each less half the
    error of the interpolated midpoint, and the value at `hi`; float32 arithmetic as TFLM's."""
    f32 = np.float32
    step = f32(f32(hi) - f32(lo)) / f32(512)
    half_step = step / f32(2)
    scale = f32(65536) / f32(2)
    out = np.empty(513, dtype=np.int16)
    for i in range(512):
        x0 = f32(lo) + f32(i) * step
        val, mid, nxt = func(x0), func(x0 + half_step), func(f32(lo) + f32(i + 1) * step)
        sample = f32(_round_away(val * scale))
        interp = f32(_round_away((nxt * scale + sample) / f32(2)))
        err = interp - f32(_round_away(mid * scale))
        bias = f32(_round_away(err / f32(2)))
        out[i] = int(min(max(float(sample - bias), -32768.0), 32767.0))
    out[512] = int(min(max(_round_away(func(f32(hi)) * scale), -32768.0), 32767.0))
    return out


def _expf(v):
    return np.float32(np.exp(np.float64(v)))                  # expf, correctly rounded


def _one_over_one_plus(v):
    return np.float32(1) / (np.float32(1) + np.float32(v))


_LUTS: dict = {}


def int16_luts() -> tuple[np.ndarray, np.ndarray]:
    """(exp on [-10, 0], 1 / (1 + x) on [0, 1]): TFLM's two int16 softmax tables."""
    if not _LUTS:
        _LUTS["exp"] = gen_lut_int16(_expf, -10.0, 0.0)
        _LUTS["recip"] = gen_lut_int16(_one_over_one_plus, 0.0, 1.0)
    return _LUTS["exp"], _LUTS["recip"]


def _prepare_int16(node, x, out, beta: float) -> dict:
    if out.dtype != "int16":
        raise c.fail(node, f"int16 softmax output must be int16, got {out.dtype}")
    if int(out.quant.zp) != 0 or abs(float(out.quant.s) - 1 / 32768) > 1e-3 / 32768:
        raise c.fail(node, f"int16 softmax output must have scale {1 / 32768:g} and zero point 0, "
                           f"got {float(out.quant.s):g} and {int(out.quant.zp)}",
                     hint="this is what TF Lite Micro's int16 SOFTMAX requires")
    real = float(np.float32(x.quant.s)) * float(np.float32(beta)) / (10.0 / 65535.0)
    mult, shift = fp.quantize_multiplier(real)
    if shift > INT16_MAX_LEFT_SHIFT:
        raise c.fail(node, f"beta {beta:g} x input {x.name!r} scale {float(x.quant.s):.6g} is too large for int16 "
                           f"softmax (a left shift of {shift}; at most {INT16_MAX_LEFT_SHIFT})", hint=ql.SCALE_HINT)
    exp_lut, recip_lut = int16_luts()
    return {"dtype": "int16", "out_dtype": "int16", "input_multiplier": int(mult), "input_left_shift": int(shift),
            "exp_lut16": exp_lut, "recip_lut16": recip_lut}


def lut_lookup_int16(value, lut: np.ndarray) -> np.ndarray:
    """TFLM's lut_lookup on int16: 512 linear segments of 128 steps, the slope rounded."""
    value = np.asarray(value, dtype=np.int64)
    index = 256 + (value >> 7)
    offset = value & 0x7F
    base = lut.astype(np.int64)[index]
    slope = lut.astype(np.int64)[index + 1] - base
    return base + ((slope * offset + 64) >> 7)


def _run_int16(diff: np.ndarray, p) -> np.ndarray:
    scaled = fp.multiply_by_quantized_multiplier(diff, p["input_multiplier"], p["input_left_shift"])
    exps = lut_lookup_int16(np.clip(scaled + 32767, -32768, 32767), p["exp_lut16"])
    total = exps.sum(axis=1, keepdims=True)                    # 64 bits (see the docstring)
    length = bit_length(total)                                 # TFLM's headroom_plus_one is 32 - length
    up, down = np.maximum(31 - length, 0), np.maximum(length - 31, 0)
    shifted = ((total << up) + (np.int64(1) << (13 + down))) >> (14 + down)
    recip = lut_lookup_int16(np.clip(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), p["recip_lut16"])
    right = length - 1                                         # exps * recip < 2^30: 0 once right > 30
    y = (exps * recip + (np.int64(1) << (right - 1))) >> right
    return np.clip(y, 0, 32767).astype(np.int16)
