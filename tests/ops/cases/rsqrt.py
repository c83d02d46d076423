"""RSQRT cases: random single-op models. int8 inputs have zero point -128: TFLM fails the invoke on
any input below the zero point, and random inputs cover the whole range."""
from __future__ import annotations

from tests.ops.cases._common import random_shape, unchecked_single_op
from tests.tflite_builder import act, q, random_scale, random_zp, single_op

DTYPES = ("float32", "int8")


def build(rng, dtype):
    shape = random_shape(rng)
    if dtype == "float32":
        return single_op("rsqrt", [act("x", shape, dtype)], act("y", (), dtype))
    s_in = random_scale(rng)
    x = act("x", shape, dtype, q(s_in, -128))
    s_out = float(1 / (s_in ** 0.5) / 127 * rng.uniform(0.02, 2))
    return single_op("rsqrt", [x], act("y", (), dtype, q(s_out, random_zp(rng, dtype))))


def _too_small():
    x = act("x", (1, 8), "int8", q(1.0, -128))
    return unchecked_single_op("rsqrt", [x], act("y", (), "int8", q(1e4, 0)))


def _smallest():
    """1 / (sqrt(1) x 4096) = 2^-12: shift -11, TFLM's last right shift is 31 bits."""
    x = act("x", (2, 9), "int8", q(1.0, -128))
    return single_op("rsqrt", [x], act("y", (), "int8", q(4096.0, 127)))


def _largest():
    """1 / (sqrt(2^-20) x 2^-19) = 2^29: shift 30, the largest the kernels apply."""
    x = act("x", (2, 9), "int8", q(2.0 ** -20, -128))
    return single_op("rsqrt", [x], act("y", (), "int8", q(2.0 ** -19, -100)))


HOSTILE_VALID = {"rsqrt_int8_smallest_factor": _smallest, "rsqrt_int8_largest_factor": _largest}
HOSTILE_INVALID = {"rsqrt_factor_too_small": (_too_small, ["'x' scale", "'y' scale", "too small"])}
