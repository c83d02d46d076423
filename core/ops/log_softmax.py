"""LOG_SOFTMAX over the last axis (TFLM's log_softmax.cc).

float32 (reference_ops::LogSoftmax): per row, max (from -FLT_MAX), sum of expf(x - max) left to
right, then x - max - logf(sum), all in float32.
int8 (LogSoftmaxQuantized): input scale -> (multiplier, left shift) by PreprocessSoftmaxScaling
(beta 1, 5 integer bits), the reverse divisor 2^(31 - shift) / multiplier by QuantizeMultiplier,
diff_min = -CalculateInputRadius(5, shift). Per row: the Q12 sum of exp(diff in Q5.26) over diffs
>= diff_min, its log in Q5 (gemmlowp-style log_x_for_x_greater_than_or_equal_to_1), then each diff
above max(diff_min - 1, MBQM(log + INT32_MIN, divisor)) becomes RoundingDivideByPOT(diff_q5 - log,
22) + 127 clamped to int8, the others -128. The output must be quantised as TFLM requires (scale
16/256, zero point 127).
Refused: an int8 output quantised otherwise, input scales whose multiplier is below one (under
about 2^-26: TFLM's shifts become negative, undefined in its Prepare) or whose reverse divisor is
not below one (exactly 2^-26: TFLM's Prepare aborts on a CHECK), rows of 4096 or more
elements (TFLM's Q12 sum could overflow).
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.ops import _last_axis, _tflite
from tinycc.core.ops import common as c

NAME = "log_softmax"
INPUTS = _last_axis.INPUTS
ATTRS: dict = {}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernels)
FIXED_OUTPUT_QUANT = (16.0 / 256, 127)                  # TFLM's Prepare requires exactly this int8 output
INPUT_BITS, ACCUM_BITS, OUTPUT_BITS = 5, 12, 4
MAX_DEPTH = 4095
INT32_MIN = -(1 << 31)


infer = _last_axis.infer


def prepare(node, g):
    p = _last_axis.prepare_rows(node, g, DTYPES)
    if p["dtype"] == "float32":
        return p
    _last_axis.check_int8_rows(node, g, p, FIXED_OUTPUT_QUANT, "16/256", MAX_DEPTH,
                               "TF Lite Micro's Q12 sum of exponentials")
    x = g.tensors[node.inputs[0]]
    mult, left = fp.preprocess_softmax_scaling(1.0, float(x.quant.s), INPUT_BITS)
    if not 1 <= left <= 31:
        raise c.fail(node, f"input {x.name!r} scale {float(x.quant.s):.6g} is too small for TF Lite Micro's "
                           "LOG_SOFTMAX (its scaled multiplier would be below one)",
                     hint="the input scale must be at least 2^-26")
    reverse = float(1 << (31 - left)) / float(mult)
    if not reverse < 1.0:                   # QuantizeMultiplierSmallerThanOneExp's TFLITE_CHECK aborts TFLM
        raise c.fail(node, f"input {x.name!r} scale {float(x.quant.s):.6g} gives TF Lite Micro's LOG_SOFTMAX a "
                           f"reverse scaling divisor of {reverse:g}, which must be below 1 (TFLM aborts)",
                     hint="an input scale of exactly 2^-26 is the one value refused; any other above it works")
    rev_mult, rev_shift = fp.quantize_multiplier(reverse)
    diff_min = -fp.calculate_input_radius(INPUT_BITS, left)
    diffs = -np.arange(256, dtype=np.int64)                            # every int8 difference from the max
    q5 = fp.multiply_by_quantized_multiplier(diffs, mult, left)
    exp_q12 = np.where(diffs >= diff_min, fp.rescale(fp.exp_on_negative_values(q5, INPUT_BITS), 0, ACCUM_BITS), 0)
    return {**p, "diff_min": int(diff_min), "rev_mult": int(rev_mult), "rev_shift": int(rev_shift),
            "q5": q5.astype(np.int32), "exp_q12": exp_q12.astype(np.int32)}


def _sat_pot(x: int, exponent: int) -> int:
    return int(fp.saturating_rounding_multiply_by_pot(x, exponent)) if exponent else int(x)


def _sat(v: int) -> int:
    return max(INT32_MIN, min((1 << 31) - 1, v))


def _w(v: int) -> int:
    return int(fp.wrap32(v))


def _mul(a: int, b: int) -> int:
    return int(fp.srdhm(a, b))


def log_q12_to_q5(raw: int) -> int:
    """log_x_for_x_greater_than_or_equal_to_1<5>(Q12 raw): TFLite's fixed-point log, Q5 raw."""
    acc_bits = INPUT_BITS + 1                                   # the result's integer bits (5) + 1 of headroom
    log_2, sqrt_sqrt_half, sqrt_half = 1488522236, 1805811301, 1518500250
    alpha_n, alpha_d, alpha_i, alpha_f = 117049297, 127690142, 1057819769, 638450708
    shifted_quarter = int(fp.rescale(536870912, 0, acc_bits))
    z_a = raw
    z_a_headroom_plus_1 = int(fp.count_leading_zeros32(np.array([z_a]))[0])
    r_a_tmp = _sat_pot(z_a, z_a_headroom_plus_1 - 1)
    r_a_raw = _sat_pot(_mul(r_a_tmp, sqrt_half), 1)
    z_a_pow_2_adj = _sat(_sat_pot(ACCUM_BITS - z_a_headroom_plus_1, 31 - acc_bits) + shifted_quarter)
    z_b = _mul(z_a, sqrt_half)
    z_b_headroom = int(fp.count_leading_zeros32(np.array([z_b]))[0]) - 1
    r_b_raw = _sat_pot(z_a, z_b_headroom)
    z_b_pow_2_adj = _sat(_sat_pot(ACCUM_BITS - z_b_headroom, 31 - acc_bits) - shifted_quarter)
    r = min(r_a_raw, r_b_raw)
    z_pow_2_adj = max(z_a_pow_2_adj, z_b_pow_2_adj)
    p = int(fp.rounding_half_sum(r, sqrt_sqrt_half))
    q = _w(r - sqrt_sqrt_half)
    q = _w(q + q)
    common_sq = _mul(q, q)
    num = _w(_mul(q, r) + _mul(_mul(q, common_sq), alpha_n))
    denom_minus_one_0 = _w(_mul(p, _w(_w(alpha_i + q) + _mul(alpha_d, common_sq))) + _mul(alpha_f, q))
    recip_denom = int(fp.one_over_one_plus_x_for_x_in_0_1(denom_minus_one_0))
    num_scaled = int(fp.rescale(num, 0, acc_bits))
    total = _w(_mul(z_pow_2_adj, log_2) + _mul(num_scaled, recip_denom))
    return int(fp.rescale(total, acc_bits, INPUT_BITS))


def run(node, g, inputs, p):
    x = inputs[0]
    rows = x.reshape(p["rows"], p["depth"])
    if p["dtype"] == "float32":
        out = np.empty(rows.shape, dtype=np.float32)
        with np.errstate(all="ignore"):
            for r in range(p["rows"]):
                row = rows[r].astype(np.float32)
                top = np.max(np.maximum(row, np.finfo(np.float32).min)) if row.size else np.float32(0)
                shifted = (row - top).astype(np.float32)
                total = np.cumsum(np.exp(shifted).astype(np.float32), dtype=np.float32)[-1]
                out[r] = (shifted - np.log(total).astype(np.float32)).astype(np.float32)
        return [out.reshape(x.shape)]
    out = np.empty(rows.shape, dtype=np.int8)
    for r in range(p["rows"]):
        diff = rows[r].astype(np.int64) - int(rows[r].max())
        total = int(fp.wrap32(p["exp_q12"][-diff].astype(np.int64).sum()))
        log_q5 = log_q12_to_q5(total)
        floor = max(p["diff_min"] - 1,
                    int(fp.multiply_by_quantized_multiplier(_w(log_q5 + INT32_MIN), p["rev_mult"], p["rev_shift"])))
        q5 = p["q5"][-diff].astype(np.int64)
        y = fp.rounding_divide_by_pot(fp.wrap32(q5 - log_q5), 31 - INPUT_BITS - OUTPUT_BITS) + 127
        out[r] = np.where(diff > floor, np.clip(y, -128, 127), -128)
    return [out.reshape(x.shape)]


TFLITE = _tflite.TFLite("LOG_SOFTMAX")
