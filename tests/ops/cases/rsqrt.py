"""RSQRT cases: random models. TFLM fails the invoke on any input below the zero point, and random
inputs cover the whole range: int8 inputs have zero point -128; int16 (zero point 0) takes its input
from an ABS in front, the second operator of the model."""
from __future__ import annotations

from tests.ops.cases._common import random_shape, unchecked_single_op
from tests.tflite_builder import act, q, random_scale, random_zp, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

DTYPES = ("float32", "int8", "int16")


def after_abs(shape, s_in, y):
    """x -> ABS (same scale: |x|, 0..32767) -> RSQRT -> y, int16."""
    x, a = act("x", shape, "int16", q(s_in, 0)), act("a", shape, "int16", q(s_in, 0))
    nodes = [Node("abs_in_front", "abs", ["x"], ["a"], {}), Node("rsqrt_under_test", "rsqrt", ["a"], [y.name], {})]
    return write_tflite(validate(Graph("rsqrt", {"x": x, "a": a, y.name: y}, nodes, ["x"], [y.name],
                                       source="<rsqrt test>")))


def build(rng, dtype):
    shape = random_shape(rng)
    if dtype == "float32":
        return single_op("rsqrt", [act("x", shape, dtype)], act("y", (), dtype))
    s_in = random_scale(rng)
    top = 127 if dtype == "int8" else 32767
    s_out = float(1 / (s_in ** 0.5) / top * rng.uniform(0.02, 2))
    y = act("y", (), dtype, q(s_out, random_zp(rng, dtype)))
    if dtype == "int16":
        return after_abs(shape, s_in, y)
    return single_op("rsqrt", [act("x", shape, dtype, q(s_in, -128))], y)


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


def _int16_smallest():
    return after_abs((2, 9), 1.0, act("y", (), "int16", q(4096.0, 0)))


def _int16_largest():
    return after_abs((2, 9), 2.0 ** -20, act("y", (), "int16", q(2.0 ** -19, 0)))


def _int16_zero_point():
    x = act("x", (1, 8), "int16", q(0.01, 0))
    return unchecked_single_op("rsqrt", [x], act("y", (), "int16", q(0.01, 7)))


HOSTILE_VALID = {"rsqrt_int8_smallest_factor": _smallest, "rsqrt_int8_largest_factor": _largest,
                 "rsqrt_int16_smallest_factor": _int16_smallest, "rsqrt_int16_largest_factor": _int16_largest}
HOSTILE_INVALID = {"rsqrt_factor_too_small": (_too_small, ["'x' scale", "'y' scale", "too small"]),
                   "rsqrt_int16_zero_point": (_int16_zero_point, ["'y'", "zero point 7"])}
