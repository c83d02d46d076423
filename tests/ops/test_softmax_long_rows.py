"""SOFTMAX over long rows (issue 18: 1,000 ImageNet classes): defined for every class count.

TFLM's int8 softmax divides by 2^(num_bits_over_unit + 23), past 31 once the real sum of
exponentials S reaches 512 (its TFLITE_CHECK aborts; the C used to shift an int32 by 32), and its
int32 sum overflows from S = 4096; int16 -> int16's Q16.15 sum overflows from 65,539 classes.
tinycc's result is TFLM's where TFLM is defined and TFLM's formulas in exact arithmetic beyond
(tinycc.core.ops.softmax's docstring). Here:
- where TFLM is defined (511 and 1,000 int8 classes with S < 512, 4,095 int8 -> int16, 65,538
  int16): reference, host C and ASan+UBSan C equal TF Lite Micro's interpreter byte for byte;
- beyond (513, 1,000, 4,096, 10,000 and 140,000 classes): reference, host C and ASan+UBSan C
  equal TFLM's formulas evaluated in this file with Python integers and Fractions (an
  independent transcription of the C++: sum, GetReciprocal with clz32 continued to any width,
  gemmlowp's Newton-Raphson 1 / (1 + x), RoundingDivideByPOT as an exact rounding), with only
  the exp tables taken from prepare (TFLM's own values, checked by the short-row comparisons);
- the float meaning: 1,000 near-equal classes at output scale 1/256 are all -128 (true
  probabilities ~1/1000 are below half a step), and as int16 within 2 steps of the true softmax;
- CMSIS-NN's arm_softmax_s8 (undefined from 256 classes) is used only for shorter rows.
"""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm, run_c_sanitized
from tests.tflite_builder import act, q, single_op
from tinycc.core import interpreter, ops
from tinycc.plugins.importers.tflite import load_tflite

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
OUT = {"int8": ((1 / 256, -128), -128, 127, 8), "int16": ((1 / 65536, -32768), -32768, 32767, 16)}


# --- TFLM's arithmetic in exact integers (written from the C++, sharing nothing with tinycc) -------

def srdhm(a: int, b: int) -> int:
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    return int(Fraction(ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30)), 1 << 31))    # truncates toward 0


def round_half_away(v: Fraction) -> int:
    return math.floor(v + Fraction(1, 2)) if v >= 0 else -math.floor(-v + Fraction(1, 2))


def rdbpot(x: int, exponent: int) -> int:
    return round_half_away(Fraction(x, 1 << exponent))


def one_over_one_plus_x(a: int) -> int:
    """gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0.31 in and out, Newton-Raphson in Q2.29."""
    s = a + INT32_MAX
    half_denominator = int(Fraction(s + (1 if s >= 0 else -1), 2))
    x = 1515870810 + srdhm(half_denominator, -1010580540)
    for _ in range(3):
        one_minus = (1 << 29) - srdhm(half_denominator, x)
        x = x + max(INT32_MIN, min(INT32_MAX, srdhm(x, one_minus) * 4))
    return max(INT32_MIN, min(INT32_MAX, x * 2))


def exact_int8_softmax(row: np.ndarray, exp_lut, diff_min: int, out_dtype: str) -> list[int]:
    """TFLM's quantized Softmax on one int8 row, every integer unbounded."""
    _, lo, hi, out_bits = OUT[out_dtype]
    diffs = [int(v) - int(row.max()) for v in row]
    total = sum(rdbpot(int(exp_lut[-d]), 12) for d in diffs if d >= diff_min)
    headroom_plus_one = 32 - total.bit_length()                          # CountLeadingZeros(uint32), continued
    shifted = math.floor(Fraction(total) * Fraction(2) ** headroom_plus_one)  # x << headroom; below 0: truncated
    scale = one_over_one_plus_x(shifted - (1 << 31))
    exponent = (12 - headroom_plus_one) + 31 - out_bits
    return [max(lo, min(hi, rdbpot(srdhm(scale, int(exp_lut[-d])), exponent) + lo)) if d >= diff_min else lo
            for d in diffs]


def lut_lookup(v: int, lut) -> int:
    base = int(lut[256 + (v >> 7)])
    return base + (((int(lut[257 + (v >> 7)]) - base) * (v & 0x7F) + 64) >> 7)


def exact_int16_softmax(exps: list[int], recip_lut) -> list[int]:
    """TFLM's SoftmaxInt16 from its exps on, every integer unbounded."""
    total = sum(exps)
    headroom_plus_one = 32 - total.bit_length()
    shifted = math.floor((Fraction(total) * Fraction(2) ** (headroom_plus_one - 1) + (1 << 13)) / (1 << 14))
    recip = lut_lookup(max(-32768, min(32767, shifted - ((1 << 15) + (1 << 16)))), recip_lut)
    right = 31 - headroom_plus_one
    return [max(0, min(32767, math.floor(Fraction(e * recip + Fraction(2) ** (right - 1), 2 ** right))))
            for e in exps]


# --- models ---------------------------------------------------------------------------------------

def model(classes: int, in_dtype: str = "int8", out_dtype: str = "int8", in_scale: float = 0.02) -> bytes:
    out_quant = (1 / 32768, 0) if in_dtype == "int16" else OUT[out_dtype][0]
    return single_op("softmax", [act("x", (1, classes), in_dtype, q(in_scale, 0))],
                     act("y", (), out_dtype, q(*out_quant)), {"beta": 1.0})


def near_equal(classes: int, dtype: str = "int8", spread: int = 3) -> np.ndarray:
    """Logits within spread - 1 input steps of each other (at scale 0.02: exps 1, 0.98, 0.96)."""
    return (100 - np.random.default_rng(0).integers(0, spread, (1, classes))).astype(dtype)


def outputs(m: bytes, x: np.ndarray):
    """(prepared parameters, reference output, host C output, ASan+UBSan C output) for one input."""
    from tests.c_build import run_c_model
    g = load_tflite(Path("t.tflite"), m)
    node = g.nodes[0]
    p = ops.require(node.op).prepare(node, g)
    return (p, interpreter.run(g, [x])[0].reshape(-1), run_c_model(g, [x])[0].reshape(-1),
            run_c_sanitized(g, [[x]])[0][0].reshape(-1))


# --- where TFLM is defined: equal to TF Lite Micro -----------------------------------------------

def test_1000_classes_with_a_sum_below_512_equal_tflm():
    """300 classes at the max, 700 three units below (exp(-3)): S = 335, TFLM's defined range; every
    output is -127 (1/335 of 256 steps rounds to 1 step), the others ~-128."""
    pytest.importorskip("tflite_micro", reason="the tflite-micro extra (TF Lite Micro's interpreter) is missing")
    x = np.full((1, 1000), 70, np.int8)
    x[0, :300] = 100
    np.random.default_rng(1).shuffle(x[0])
    g = assert_matches_tflm(model(1000, in_scale=0.1), inputs=[x], c=True, sanitize=True)
    y = interpreter.run(g, [x])[0].reshape(-1)
    assert set(y[x[0] == 100].tolist()) == {-127} and set(y[x[0] == 70].tolist()) == {-128}


@pytest.mark.parametrize(("classes", "in_dtype", "out_dtype"), [
    (511, "int8", "int8"),            # S = 511: the last int8 -> int8 sum TFLM divides by 2^31
    (4095, "int8", "int16"),          # Q12.19 sum 4095 * 2^19: the last that fits TFLM's int32
    (65538, "int16", "int16"),        # 65538 * 32767 <= INT32_MAX: the last int16 row TFLM sums
])
def test_the_longest_equal_rows_tflm_defines_equal_tflm(classes, in_dtype, out_dtype):
    pytest.importorskip("tflite_micro", reason="the tflite-micro extra (TF Lite Micro's interpreter) is missing")
    x = np.full((1, classes), 7, in_dtype)
    assert_matches_tflm(model(classes, in_dtype, out_dtype), inputs=[x], c=True, sanitize=True)


# --- beyond: TFLM's formulas in exact arithmetic --------------------------------------------------

@pytest.mark.parametrize(("classes", "out_dtype", "spread"), [
    (513, "int8", 1),                 # all equal: S = 513, the first past 512
    (1000, "int8", 3), (4096, "int8", 3), (10000, "int8", 3),
    (1000, "int16", 3), (4096, "int16", 1), (10000, "int16", 3), (140000, "int16", 3),
])
def test_int8_rows_past_tflm_equal_its_arithmetic_in_exact_integers(classes, out_dtype, spread):
    x = near_equal(classes, spread=spread)
    p, ref, c, sanitized = outputs(model(classes, out_dtype=out_dtype), x)
    want = exact_int8_softmax(x[0], p["exp_lut"], p["diff_min"], out_dtype)
    np.testing.assert_array_equal(ref, want)
    np.testing.assert_array_equal(c, want)
    np.testing.assert_array_equal(sanitized, want)
    if out_dtype == "int8":                                      # S >= 512: every probability < 1/512
        assert set(want) == {-128}
    elif classes < 1 << 17:                                      # int16 outputs stay meaningful to 2^17
        assert max(want) > -32768
    else:
        assert set(want) == {-32768}


@pytest.mark.parametrize("classes", [65539, 100000])
def test_int16_rows_past_tflm_equal_its_arithmetic_in_exact_integers(classes):
    x = near_equal(classes, "int16")
    p, ref, c, sanitized = outputs(model(classes, "int16", "int16", in_scale=1e-3), x)
    exp_lut = p["exp_lut16"]
    diffs = x[0].astype(np.int64) - int(x.max())
    mult, shift = p["input_multiplier"], p["input_left_shift"]       # MultiplyByQuantizedMultiplier
    scaled = [rdbpot(srdhm(int(d) << max(shift, 0), mult), max(-shift, 0)) for d in diffs]
    assert sorted(set(scaled)) == [-13, -7, 0]                   # d * 1e-3 / (10 / 65535), rounded
    exps = [lut_lookup(max(-32768, min(32767, v + 32767)), exp_lut) for v in scaled]
    want = exact_int16_softmax(exps, p["recip_lut16"])
    np.testing.assert_array_equal(ref, want)
    np.testing.assert_array_equal(c, want)
    np.testing.assert_array_equal(sanitized, want)
    assert set(want) <= {0, 1}                                   # ~32768 / classes steps: under one


def test_1000_near_equal_classes_mean_the_true_softmax():
    """The float meaning: every true probability (~1/1000) is under half an int8 step (1/512), so all
    -128; as int16 (steps of 1/65536) within 2 steps of the true softmax."""
    x = near_equal(1000)
    true = np.exp(0.02 * x[0].astype(np.float64))
    true /= true.sum()
    _, y8, c8, _ = outputs(model(1000), x)
    assert set(y8.tolist()) == set(c8.tolist()) == {-128}
    assert np.abs((y8.astype(np.float64) + 128) / 256 - true).max() < 0.5 / 256
    _, y16, c16, _ = outputs(model(1000, out_dtype="int16"), x)
    np.testing.assert_array_equal(y16, c16)
    assert np.abs((y16.astype(np.float64) + 32768) / 65536 - true).max() <= 2 / 65536


def test_cmsis_nn_softmax_only_for_rows_it_defines():
    from tinycc.backends.cmsis_nn import ops as cmsis_ops
    for classes, twin in ((255, True), (256, False), (1000, False)):
        g = load_tflite(Path("t.tflite"), model(classes))
        assert (cmsis_ops.twins(g.nodes[0], g) is not None) == twin, classes
