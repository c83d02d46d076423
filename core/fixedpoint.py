"""Fixed-point arithmetic of TF Lite Micro's reference kernels, vectorised over numpy arrays.

gemmlowp-style double rounding (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT),
the int64 single-rounding variant of the 16x8 kernels, and gemmlowp's fixed-point transcendental
functions (exp on negative values, 1/(1+x), logistic, tanh). Every value is held in int64 and
wrapped to int32 exactly where the C reference wraps, so results are bit-identical to TFLM.
A raw Q-format value is written ``Qm`` for m integer bits (31 - m fractional bits).
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from tinycc.core.errors import TinyccError

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def _i64(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


def wrap32(x: ArrayLike) -> np.ndarray:
    """Two's-complement wrap of int64 values to the int32 range (what a C int32 store does)."""
    x = _i64(x)
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def round_half_away(x: ArrayLike) -> np.ndarray:
    """C's std::round / TfLiteRound: halves go away from zero."""
    x = np.asarray(x, dtype=np.float64)
    out: np.ndarray = np.sign(x) * np.floor(np.abs(x) + 0.5)      # (a numpy scalar for a scalar x)
    return out


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLM QuantizeMultiplier: real = m * 2^(shift - 31) with m a Q0.31 integer in [2^30, 2^31)."""
    real = float(real)
    if real == 0.0:
        return 0, 0
    if not math.isfinite(real):
        raise TinyccError(f"the rescale factor {real} of the quantisation scales is not a finite number",
                          hint="check the scales of the operator's input, weight and output tensors")
    q, shift = math.frexp(real)
    q_fixed = int(round_half_away(q * (1 << 31)))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def quantize_multiplier_frexp(real: float) -> tuple[int, int]:
    """The inline variant of logistic/tanh Prepare: frexp and round, with no 2^31 correction."""
    q, shift = math.frexp(float(real))
    return int(round_half_away(q * (1 << 31))), shift


def _trunc_div(x: np.ndarray, d: int) -> np.ndarray:
    """C integer division (toward zero) of int64 values by a positive power of two."""
    return np.where(x >= 0, x // d, -((-x) // d))


def srdhm(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """SaturatingRoundingDoublingHighMul(int32 a, int32 b)."""
    a, b = _i64(a), _i64(b)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    out = _trunc_div(ab + nudge, 1 << 31)
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, out)


def rounding_divide_by_pot(x: ArrayLike, exponent: ArrayLike) -> np.ndarray:
    """RoundingDivideByPOT: x / 2^exponent, rounding half away from zero."""
    x, exponent = _i64(x), _i64(exponent)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    out: np.ndarray = (x >> exponent) + (remainder > threshold)
    return out


def multiply_by_quantized_multiplier(x: ArrayLike, multiplier: ArrayLike, shift: ArrayLike) -> np.ndarray:
    """MultiplyByQuantizedMultiplier(int32 x, int32 m, int shift), TFLM's double rounding."""
    x, shift = _i64(x), _i64(shift)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    return rounding_divide_by_pot(srdhm(wrap32(x << left), multiplier), right)


def multiply_by_quantized_multiplier_int64(x: ArrayLike, multiplier: ArrayLike, shift: ArrayLike) -> np.ndarray:
    """MultiplyByQuantizedMultiplier(int64 x, ...) of the 16x8 kernels: a 16-bit multiplier, one rounding."""
    x, m, shift = _i64(x), _i64(multiplier), _i64(shift)
    reduced = np.where(m < 0x7FFF0000, (m + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - shift
    out = (x * reduced + (np.int64(1) << (total - 1))) >> total
    return wrap32(out)


def multiply_by_quantized_multiplier_greater_than_one(x: ArrayLike, multiplier: ArrayLike,
                                                      left_shift: ArrayLike) -> np.ndarray:
    return srdhm(wrap32(_i64(x) << _i64(left_shift)), multiplier)


def saturating_rounding_multiply_by_pot(x: ArrayLike, exponent: int) -> np.ndarray:
    """gemmlowp SaturatingRoundingMultiplyByPOT<exponent>: saturating left shift, or rounding right shift."""
    x = _i64(x)
    if exponent == 0:
        return x
    if exponent < 0:
        return rounding_divide_by_pot(x, -exponent)
    return saturating_left_shift(x, exponent)


def saturating_left_shift(x: ArrayLike, amount: int, bits: int = 32) -> np.ndarray:
    """x * 2^amount (amount >= 0) saturated to a signed `bits`-bit integer: gemmlowp's
    SaturatingRoundingMultiplyByPOT<amount> on int32 (bits 32), or on int16 (bits 16, HARD_SWISH)."""
    return np.asarray(np.clip(_i64(x) * (1 << amount), -(1 << (bits - 1)), (1 << (bits - 1)) - 1))


def rescale(x: ArrayLike, src_bits: int, dst_bits: int) -> np.ndarray:
    """gemmlowp Rescale<dst_bits> of a Q(src_bits) value."""
    return saturating_rounding_multiply_by_pot(x, src_bits - dst_bits)


def rounding_half_sum(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    s = _i64(a) + _i64(b)
    return _trunc_div(s + np.where(s >= 0, 1, -1), 2)


def _add(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    return wrap32(_i64(a) + _i64(b))


def _sub(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    return wrap32(_i64(a) - _i64(b))


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: ArrayLike) -> np.ndarray:
    """exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8."""
    constant_term = 1895147668          # exp(-1/8)
    constant_1_over_3 = 715827883
    x = _add(a, 1 << 28)                # a + 1/8
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2)
    poly = saturating_rounding_multiply_by_pot(_add(srdhm(_add(x4_over_4, x3), constant_1_over_3), x2), -1)
    return _add(constant_term, srdhm(constant_term, _add(x, poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values(a: ArrayLike, integer_bits: int) -> np.ndarray:
    """gemmlowp exp_on_negative_values: Q(integer_bits) input <= 0, Q0 output."""
    a = _i64(a)
    frac = 31 - integer_bits
    one_quarter = 1 << (frac - 2)
    mask = one_quarter - 1
    a_mod_quarter_minus_one_quarter = _sub(a & mask, one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0))
    remainder = _sub(a_mod_quarter_minus_one_quarter, a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent:
            bit = 1 << (frac + exponent)
            result = np.where(remainder & bit, srdhm(result, multiplier), result)
    if integer_bits > 5:
        clamp = -(1 << (36 - integer_bits))
        result = np.where(a < clamp, 0, result)
    return np.where(a == 0, INT32_MAX, result)


def _newton_reciprocal_q2(half_denominator: ArrayLike) -> np.ndarray:
    """Three Newton-Raphson steps for 1/half_denominator in Q2 (shared by the two divisions below)."""
    x = _add(1515870810, srdhm(half_denominator, -1010580540))      # 48/17 - 32/17 * d
    for _ in range(3):
        one_minus = _sub(1 << 29, srdhm(half_denominator, x))
        x = _add(x, rescale(srdhm(x, one_minus), 4, 2))
    return x


def one_over_one_plus_x_for_x_in_0_1(a: ArrayLike) -> np.ndarray:
    """gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0 in and out."""
    x = _newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX))
    return rescale(x, 1, 0)            # ExactMulByPot<-1> then Rescale<0>


def one_minus_x_over_one_plus_x_for_x_in_0_1(a: ArrayLike) -> np.ndarray:
    x = _newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX))
    return rescale(_sub(x, 1 << 29), 2, 0)


def logistic(a: ArrayLike, integer_bits: int) -> np.ndarray:
    """gemmlowp logistic: Q(integer_bits) in, Q0 out."""
    a = _i64(a)
    positive = a > 0
    abs_a = np.where(positive, a, wrap32(-a))
    on_positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(wrap32(-abs_a), integer_bits))
    result = np.where(positive, on_positive, _sub(INT32_MAX, on_positive))
    return np.where(a == 0, 1 << 30, result)


def tanh(a: ArrayLike, integer_bits: int) -> np.ndarray:
    """gemmlowp tanh: Q(integer_bits) in, Q0 out."""
    a = _i64(a)
    negative = a < 0
    n = np.where(negative, a, wrap32(-a))
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1))
    result = np.where(negative, wrap32(-t), t)
    return np.where(a == 0, 0, result)


def count_leading_zeros32(x: ArrayLike) -> np.ndarray:
    x = _i64(x) & 0xFFFFFFFF
    out = np.full(x.shape, 32, dtype=np.int64)
    nz = x != 0
    out[nz] = 31 - np.floor(np.log2(x[nz].astype(np.float64))).astype(np.int64)
    return out


def get_reciprocal(x: ArrayLike, integer_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """TFLM GetReciprocal: (Q0 1/x scaled into [0.5, 1), num_bits_over_unit)."""
    x = _i64(x)
    headroom = count_leading_zeros32(x)
    bits_over_unit = integer_digits - headroom
    shifted_minus_one = wrap32(((x & 0xFFFFFFFF) << headroom) - (1 << 31))
    return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one), bits_over_unit


def calculate_input_radius(input_integer_bits: int, input_left_shift: int, total_signed_bits: int = 31) -> int:
    max_input_rescaled = (1.0 * ((1 << input_integer_bits) - 1) * (1 << (total_signed_bits - input_integer_bits))
                          / (1 << input_left_shift))
    return int(math.floor(max_input_rescaled))


def preprocess_softmax_scaling(beta: float, input_scale: float, input_integer_bits: int) -> tuple[int, int]:
    """TFLM PreprocessSoftmaxScaling (double rounding build): (multiplier, left_shift)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - input_integer_bits)), (1 << 31) - 1.0)
    return quantize_multiplier(real)


def checked_log2(x: float) -> tuple[int, bool]:
    """TFLM's CheckedLog2 in float32: (round(log(x) / log(2)), whether x is within 1e-3 of that power of two
    in the log domain)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.float32(np.log(np.float32(x))) * np.float32(1.0 / np.float32(np.log(np.float32(2.0))))
    if not np.isfinite(v):
        return 0, False
    rounded = np.float32(round_half_away(v))
    return int(rounded), bool(abs(np.float32(v - rounded)) < 1e-3)


def inv_sqrt_multiplier_exp(v: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """TFLM's GetInvSqrtQuantizedMultiplierExp(v, reverse_shift = -1), elementwise over int32 v >= 0:
    1 / sqrt(v) as a (Q0.31 multiplier, left shift <= 0) by five Newton-Raphson steps in Q3.28; v <= 1
    gives (INT32_MAX, 0). L2_NORMALIZATION and RSQRT (the C twin: kernels/common/inv_sqrt.h)."""
    v = np.array(v, dtype=np.int64, ndmin=1)
    small = v <= 1
    v = np.where(small, 2, v)
    shift = np.full(v.shape, 11, dtype=np.int64)
    while np.any(big := v >= (1 << 29)):
        v, shift = np.where(big, v // 4, v), shift + big
    bits = np.zeros(v.shape, dtype=np.int64)                          # bit length: 32 - CountLeadingZeros
    t = v.copy()
    while np.any(t > 0):
        bits, t = bits + (t > 0), t >> 1
    pairs = (32 - bits - 1) // 2 - 1
    shift = shift - pairs
    v = v << (2 * pairs)
    half_input = rounding_divide_by_pot(v >> 1, 1)                    # Q3 input / 2
    half_three = (1 << 28) + (1 << 27)                                 # Q3 1.5
    x = np.full(v.shape, 1 << 28, dtype=np.int64)                      # Q3 1.0
    for _ in range(5):
        x3 = rescale(srdhm(srdhm(x, x), x), 9, 3)
        x = rescale(_sub(srdhm(half_three, x), srdhm(half_input, x3)), 6, 3)
    x = srdhm(x, 1518500250)                                           # x sqrt(2) / 2 (Q0)
    x = np.where(shift < 0, wrap32(x << np.maximum(-shift, 0)), x)
    shift = np.maximum(shift, 0)
    return np.where(small, INT32_MAX, x), np.where(small, 0, -shift)
