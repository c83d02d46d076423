"""ABS cases: random single-op models; quantised outputs share the input's scale or not (the
kernel rescales only when the scales differ)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("float32", "int8", "int16")


def build(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape)
    if dtype == "float32" or rng.random() < 0.3:
        return single_op("abs", [x], act("y", (), dtype, x.quant))
    return single_op("abs", [x], out_tensor(rng, dtype, x.quant.s * rng.uniform(0.3, 3)))


def _huge_ratio():
    x = act("x", (1, 8), "int8", q(0.5, 3))
    return unchecked_single_op("abs", [x], act("y", (), "int8", q(1e-12, 0)))


def _int16_zero_point():
    x = act("x", (1, 8), "int16", q(0.01, 5))
    return unchecked_single_op("abs", [x], act("y", (), "int16", q(0.01, 0)))


def _extreme_int8():
    x = act("x", (2, 9), "int8", q(0.5, -128))
    return single_op("abs", [x], act("y", (), "int8", q(0.5 / 2 ** 29, 127)))


def _extreme_int16():
    x = act("x", (2, 9), "int16", q(1.0, 0))
    return single_op("abs", [x], act("y", (), "int16", q(2.0 ** -20, 0)))


HOSTILE_VALID = {"abs_int8_largest_ratio": _extreme_int8, "abs_int16_large_ratio": _extreme_int16}
HOSTILE_INVALID = {"abs_scale_ratio_beyond_shift": (_huge_ratio, ["'x' scale", "'y' scale", "too large"]),
                   "abs_int16_zero_point": (_int16_zero_point, ["'x'", "zero point 5"])}
