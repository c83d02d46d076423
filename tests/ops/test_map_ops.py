"""Edge values of the per-element operators (CAST, ROUND, FLOOR, SQRT, ...) through the reference
and the c backend against TF Lite Micro: every CAST pair with each type's extremes, NaN and the
infinities, float -> integer saturation and narrowing wrap-around; ROUND's halves (to even); the
float maps at NaN, +-inf, +-0 and huge values. float32 within the ops test's FLOAT_TOL."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.cases.cast import DTYPES as CAST_TYPES
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op

FLOAT_TOL = 1e-4
EDGES = {
    "float32": [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 0.99, -0.99, 1.5, -2.5, 127.5, 127.99, 128.0, -128.5,
                -129.0, 200.0, -200.0, 32767.5, 32768.0, -32769.0, 65535.0, 2147483520.0, 2147483648.0,
                -2147483904.0, 4294967040.0, 4294967296.0, 1e10, -1e10, 3.4e38, -3.4e38, 1e-30],
    "int8": [-128, -127, -1, 0, 1, 127],
    "int16": [-32768, -129, -128, -1, 0, 1, 127, 128, 255, 256, 32767],
    "int32": [-(1 << 31), -(1 << 31) + 1, -32769, -32768, -129, -128, -1, 0, 1, 127, 128, 255, 32767, 32768,
              65535, 65536, 16777217, (1 << 31) - 1],
    "uint32": [0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 16777217, (1 << 31) - 1, 1 << 31,
               (1 << 31) + 1, 4000000000, (1 << 32) - 1],
    "bool": [False, True],
}


def tensor(name, shape, dtype):
    return act(name, shape, dtype, q(0.1, 3) if dtype in ("int8", "int16") else None)


@pytest.mark.parametrize("src", CAST_TYPES)
@pytest.mark.parametrize("dst", CAST_TYPES)
def test_cast_edges_match_tflm(src, dst):
    values = np.array(EDGES[src], dtype=src)
    model = single_op("cast", [tensor("x", values.shape, src)], tensor("y", (), dst))
    assert_matches_tflm(model, samples=1, inputs=[values], float_tol=FLOAT_TOL, c=True,
                        sanitize=src == "float32" and dst != "float32")


def test_round_halves_go_to_even():
    values = np.array([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 8388607.5,
                       1e8, np.nan, np.inf, -np.inf], dtype=np.float32)
    model = single_op("round", [act("x", values.shape, "float32")], act("y", (), "float32"))
    assert_matches_tflm(model, samples=1, inputs=[values], float_tol=0.0, c=True)


SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30, 88.0, -103.0, 2.5, -2.5],
                   dtype=np.float32)


@pytest.mark.parametrize("op", ["floor", "ceil", "sqrt", "rsqrt", "square", "exp", "log", "neg", "abs", "elu"])
def test_float_maps_at_special_values(op):
    model = single_op(op, [act("x", SPECIAL.shape, "float32")], act("y", (), "float32"))
    assert_matches_tflm(model, samples=1, inputs=[SPECIAL], float_tol=FLOAT_TOL, c=True)


@pytest.mark.parametrize("op", ["sin", "cos"])
def test_trigonometry_at_special_values(op):
    values = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 3.1415927, -1.5707964, 100.0], dtype=np.float32)
    model = single_op(op, [act("x", values.shape, "float32")], act("y", (), "float32"))
    assert_matches_tflm(model, samples=1, inputs=[values], float_tol=FLOAT_TOL, c=True)


def test_logical_not_of_both_values():
    values = np.array([[True, False, True], [False, False, True]])
    model = single_op("logical_not", [act("x", values.shape, "bool")], act("y", (), "bool"))
    assert_matches_tflm(model, samples=1, inputs=[values], c=True)


@pytest.mark.parametrize("s_in,s_out", [(0.001, 3e-4), (1.0, 1 / 32767), (2.0 ** -15, 0.01)])
def test_rsqrt_int16_every_input(s_in, s_out):
    """Every int16 value through ABS then RSQRT: the fixed-point inverse square root of 0..32767."""
    from tests.ops.cases.rsqrt import after_abs
    values = np.arange(-32768, 32768, dtype=np.int16).reshape(256, 256)
    model = after_abs(values.shape, s_in, act("y", (), "int16", q(s_out, 0)))
    assert_matches_tflm(model, samples=1, inputs=[values], c=True)
