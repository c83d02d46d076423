"""QUANTIZE cases: random single-op models, for every output dtype TFLM's QUANTIZE writes, from
each input dtype it pairs with that output (float32, int8, int16, int32, uint8)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, random_scale, single_op
from tinycc.core.ops.quantize import PAIRS

DTYPES = ("int8", "int16", "int32", "uint8")


def _tensor(rng, dtype, name, out=False):
    """io_tensor / out_tensor, with int32 (wide scales: an accumulator) and uint8 zero points."""
    if dtype == "int32":
        quant = q(random_scale(rng, 1e-6, 1e-2), int(rng.integers(-1000, 1000)))
    elif dtype == "uint8":
        quant = q(random_scale(rng), int(rng.integers(0, 256)))
    else:
        return out_tensor(rng, dtype, name=name) if out else io_tensor(rng, dtype, random_shape(rng), name)
    return act(name, () if out else random_shape(rng), dtype, quant)


def build(rng, dtype):
    """dtype is the output's; the input is float32 or an integer tensor to requantise."""
    sources = [i for i, o in PAIRS if o == dtype]
    x = _tensor(rng, str(rng.choice(sources)), "x")
    y = _tensor(rng, dtype, "y", out=True)
    if x.dtype == "int32" and dtype != "int32":
        # an accumulator's scale is small: keep the rescale factor where outputs use their range
        y.quant = q(float(x.quant.s) * float(rng.uniform(1e3, 1e6)), y.quant.zp)
    return single_op("quantize", [x], y)


def _int32_extremes():
    """int32 input at both ends, zero point 1000 (the subtraction wraps as TFLM's does), to int8."""
    return single_op("quantize", [act("x", (64,), "int32", q(1e-5, 1000))], act("y", (), "int8", q(0.02, -7)))


def _int8_to_int32_left_shift():
    """A rescale factor of 2^20 (a left shift of 21) into int32, zero point at the int32 edge."""
    return single_op("quantize", [act("x", (64,), "int8", q(1.0, -128))],
                     act("y", (), "int32", q(2.0 ** -20, (1 << 31) - 1)))


def _int32_to_int8_factor_too_large():
    return unchecked_single_op("quantize", [act("x", (4,), "int32", q(1.0, 0))], act("y", (), "int8", q(1e-12, 0)))


def _float_to_int32():
    return unchecked_single_op("quantize", [act("x", (4,), "float32")], act("y", (), "int32", q(0.5, 0)))


HOSTILE_VALID = {"quantize_int32_wrapping_zero_point": _int32_extremes,
                 "quantize_int8_to_int32_left_shift": _int8_to_int32_left_shift}
HOSTILE_INVALID = {
    "quantize_int32_to_int8_huge_factor": (_int32_to_int8_factor_too_large, ["'x'", "'y'", "too large"]),
    "quantize_float32_to_int32": (_float_to_int32, ["float32 to int32", "not supported"]),
}
