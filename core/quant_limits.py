"""The quantisation parameters the integer kernels are defined for, checked once, in each op's prepare.

TF Lite Micro's Prepare accepts almost any scale: QuantizeMultiplier turns a rescale factor into a
Q0.31 multiplier and a power-of-two shift, flushing factors below 2^-32 to (0, 0). Its Eval then
shifts by that amount: `x * (1 << shift)` in the int32 MultiplyByQuantizedMultiplier is undefined
from a shift of 31 on, `1 << (15 - shift)` in the int64 (16x8) overload from a shift of 15 on (TFLM
asserts -31 <= shift < 8 there, and |x| < 2^47). A factor that needs such a shift (a ratio of scales
beyond 2^30, e.g. an output scale of 1e-30) is refused here with the tensors and the value, so no
kernel, tinycc's or TFLM's, meets it; a factor that flushes to zero is TFLM's defined behaviour and
is kept. The helpers raise TinyccError; validate adds the node, op and file.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Tensor

MAX_SHIFT = 30            # int32 MultiplyByQuantizedMultiplier: left shifts 0..30 (1 << 31 overflows int)
MAX_WIDE_SHIFT = 7        # int64 overload (16x8 kernels): TFLM asserts shift < 8
WIDE_ACC_LIMIT = 1 << 47  # int64 overload: TFLM asserts |x| < 2^47 (x * 2^15 must stay inside int64)
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
SCALE_HINT = "the scales of a quantised model are small positive numbers of similar magnitude; this file's " \
             "are not (a corrupted or hand-edited model?)"


def rescale(real: float, what: str, wide: bool = False) -> tuple[int, int]:
    """QuantizeMultiplier(real) as TFLM computes it, or a TinyccError naming `what` (the tensors
    and scales the factor comes from) when its shift is beyond what the kernels can apply."""
    real = float(real)
    if not math.isfinite(real):
        raise TinyccError(f"the rescale factor {what} = {real} is not a finite number", hint=SCALE_HINT)
    m, shift = fp.quantize_multiplier(real)
    limit = MAX_WIDE_SHIFT if wide else MAX_SHIFT
    if shift > limit:
        raise TinyccError(f"the rescale factor {what} = {real:.6g} is too large: it needs a left shift of {shift}, "
                          f"the {'16x8 ' if wide else ''}kernels apply at most {limit} (a factor below "
                          f"2^{limit})", hint=SCALE_HINT)
    return m, shift


def rescale_below_one(real: float, what: str) -> tuple[int, int]:
    """TFLM's QuantizeMultiplierSmallerThanOneExp (ADD and SUB): CHECKs, aborting the process, that
    0 < real < 1 and that the shift stays <= 0 (a factor just below 1 whose mantissa rounds up to 2^31
    does not); refused here instead."""
    real = float(real)
    m, shift = rescale(real, what) if math.isfinite(real) and real < 1 else (0, 1)
    if not real > 0 or shift > 0:
        raise TinyccError(f"the rescale factor {what} = {real:.6g} must lie in (0, 1) and round below 1",
                          hint=SCALE_HINT)
    return m, shift


def scale_ratio(num: float, den: float, what: str, wide: bool = False) -> tuple[int, int]:
    """rescale(num / den) in double, `what` naming both sides."""
    return rescale(float(num) / float(den), what, wide)


def tensor_scale(t: Tensor) -> str:
    """"'name' scale s" for messages (of a quantised tensor)."""
    return f"{t.name!r} scale {float(t.quant.s) if t.quant is not None else float('nan'):.6g}"


def quantize_bound(value: float, scale: float, zero_point: int, what: str) -> int:
    """TFLM's Quantize of an activation bound (CalculateActivationRangeQuantized): round(value / scale)
    in float32, which TFLM refuses outside int32 (a Prepare error); the zero point is then added in
    int32, which must not overflow either."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        tmp = fp.round_half_away(np.float32(value) / np.float32(scale))
    if not np.isfinite(tmp) or not INT32_MIN <= float(tmp) < 2.0 ** 31:
        raise TinyccError(f"{what}: the fused activation bound {value:g} is {float(tmp):.6g} steps of the output "
                          f"scale {float(scale):.6g}, beyond int32", hint=SCALE_HINT)
    q = int(zero_point) + int(tmp)
    if not INT32_MIN <= q <= INT32_MAX:
        raise TinyccError(f"{what}: the fused activation bound {value:g} quantises to {q}, beyond int32",
                          hint=SCALE_HINT)
    return q


def require_int16_zero_point_0(tensors: Iterable[Tensor | None], kernel: str) -> None:
    """TFLM's int16 kernels take int16 as symmetric (zero point 0): MUL, RELU and CONCATENATION refuse
    another zero point in Prepare, the 16x8 convolutions and FULLY_CONNECTED do not apply the input's
    (tinycc's kernels would then differ from them); refused for those ops, naming the tensor."""
    for t in tensors:
        if t is None or t.dtype != "int16" or t.quant is None:
            continue
        zps = np.asarray(t.quant.zero_point).reshape(-1)
        if zps.size and np.any(zps != 0):
            raise TinyccError(f"int16 tensor {t.name!r} has zero point {int(zps[np.flatnonzero(zps)[0]])}; TF Lite "
                              f"Micro's int16 {kernel} requires 0 (int16 is quantised symmetrically)",
                              hint="quantise int16 tensors with zero point 0 (the TFLite 16x8 scheme)")


def check_wide_bias(bias: Tensor | None, taps: int, what: str) -> None:
    """16x8 kernels accumulate int16 x int8 products and the int64 bias: TFLM's int64 rescale assumes the
    sum stays within +-2^47. The products give at most taps * 2^22; the bias must leave room for them."""
    if bias is None or bias.data is None:
        return
    data = np.asarray(bias.data, dtype=np.int64).reshape(-1)
    room = WIDE_ACC_LIMIT - int(taps) * (1 << 22)
    big = np.flatnonzero(np.abs(data.astype(np.float64)) >= room)
    if data.size and (room <= 0 or big.size):
        k = int(big[0]) if big.size else 0
        raise TinyccError(f"bias {bias.name!r}[{k}] = {int(data[k])} is beyond what the 16x8 accumulator holds "
                          f"(|bias| + {taps} products must stay below 2^47)", hint=SCALE_HINT)
