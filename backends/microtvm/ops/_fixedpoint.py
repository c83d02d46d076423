"""The TF Lite Micro arithmetic the int8 twins (te_int8 of conv_2d, depthwise_conv_2d,
fully_connected) spell out in TVM's tensor expressions, so TVM generates it.

int32 accumulation of (x - zp_in) * w with padding equal to zp_in, + bias, then
MultiplyByQuantizedMultiplier with gemmlowp's double rounding (SaturatingRoundingDoublingHighMul,
RoundingDivideByPOT) per output channel, + zp_out, clamp. Wrap-arounds are computed in int64 and
narrowed explicitly, so the C TVM emits has no signed overflow or negative left shift. The
per-channel multipliers and shifts are kernel arguments (tinycc's prepare() constants), so the
kernel is bit-exact with the reference by construction of the same integers.
"""
from __future__ import annotations

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _wrap32(tir, v64):
    """int64 -> int32 two's-complement wrap, without relying on C's conversion rules."""
    two32 = tir.const(1 << 32, "int64")
    return tir.Cast("int32", tir.floormod(v64 + tir.const(1 << 31, "int64"), two32) - tir.const(1 << 31, "int64"))


def mbqm(tir, acc32, mult32, shift32):
    """MultiplyByQuantizedMultiplier(int32 acc, int32 m, int shift), TFLM's double rounding."""
    i64 = lambda v: tir.Cast("int64", v)  # noqa: E731
    left = tir.max(shift32, tir.const(0, "int32"))
    right = tir.max(tir.const(0, "int32") - shift32, tir.const(0, "int32"))
    a = _wrap32(tir, i64(acc32) * tir.shift_left(tir.const(1, "int64"), i64(left)))
    ab = i64(a) * i64(mult32)
    nudge = tir.Select(ab >= tir.const(0, "int64"), tir.const(1 << 30, "int64"), tir.const(1 - (1 << 30), "int64"))
    high = tir.Cast("int32", tir.truncdiv(ab + nudge, tir.const(1 << 31, "int64")))
    high = tir.Select(tir.all(a == tir.const(INT32_MIN, "int32"), mult32 == tir.const(INT32_MIN, "int32")),
                      tir.const(INT32_MAX, "int32"), high)
    mask = tir.Cast("int32", tir.shift_left(tir.const(1, "int64"), i64(right)) - tir.const(1, "int64"))
    remainder = tir.bitwise_and(high, mask)
    threshold = tir.shift_right(mask, tir.const(1, "int32")) + tir.Select(high < tir.const(0, "int32"),
                                                                         tir.const(1, "int32"), tir.const(0, "int32"))
    return tir.shift_right(high, right) + tir.Select(remainder > threshold, tir.const(1, "int32"),
                                                     tir.const(0, "int32"))


def requant(tir, acc, mult, shift, p):
    v = mbqm(tir, acc, mult, shift) + tir.const(int(p["output_zp"]), "int32")
    v = tir.max(tir.min(v, tir.const(int(p["act_max"]), "int32")), tir.const(int(p["act_min"]), "int32"))
    return tir.Cast("int8", v)


def requant_extern(tir, acc, mult, shift, p, helper: str):
    """requant as one call of the micro-kernels' epilogue `helper` (micro_kernels.py, tinycc_tvm_requant*:
    the same integers in a few Cortex-M instructions; micro_kernels.requant_plan chose it and its
    multiplier and shift arrays from prepare()'s constants)."""
    c = lambda v: tir.const(int(v), "int32")  # noqa: E731
    return tir.Cast("int8", tir.call_extern("int32", helper, acc, mult, shift,
                                            c(p["output_zp"]), c(p["act_min"]), c(p["act_max"])))
