"""MEAN vs TF Lite Micro's reference kernels: int8, int16 (zero point 0) and float32.

Integer outputs must be byte-identical to TFLM. float32 outputs are compared with tolerance 0
(FLOAT_TOL): tinycc's reference and its C kernel add the reduced elements in the same row-major
order as TFLM's Reduce loop and then divide by float(n), so they are bit-exact too.
Random cases (hypothesis) cover the global-average-pool case (axes (1, 2) of NHWC, in any
spelling), single and several axes of 4-D inputs, 1-D to 5-D inputs, negative and repeated axes,
keep_dims, and equal or different input/output quantisation (TFLM uses the same rounding
multiplier path for both). A few cases per dtype also compile and run the generated C.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, random_int, random_scale, random_zp, single_op
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

FLOAT_TOL = 0.0
DTYPES = ("int8", "int16", "float32")


def mean_model(shape, axes, keep_dims, dtype, in_quant=None, out_quant=None) -> bytes:
    x = act("x", shape, dtype, in_quant)
    return single_op("mean", [x], act("y", (), dtype, out_quant), {"axes": tuple(axes), "keep_dims": keep_dims})


def quants(rng: np.random.Generator, dtype: str, same: bool):
    """(input, output) quantisation: equal, or an independent output scale and zero point."""
    if dtype == "float32":
        return None, None
    qi = q(random_scale(rng), random_zp(rng, dtype))
    if same:
        return qi, qi
    return qi, q(random_scale(rng), random_zp(rng, dtype))


@st.composite
def mean_cases(draw):
    """(shape, axes, keep_dims, seed): NHWC global pool, any 4-D axes, or 1-D..5-D inputs."""
    kind = draw(st.sampled_from(["global_pool", "nhwc", "other_rank"]))
    if kind == "global_pool":
        shape = (draw(st.integers(1, 2)), draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 16)))
        axes = draw(st.sampled_from([(1, 2), (2, 1), (-3, -2), (1, -2), (2, -3)]))
    else:
        rank = 4 if kind == "nhwc" else draw(st.sampled_from([1, 2, 2, 3, 3, 5]))
        shape = tuple(draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank)))
        chosen = draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
        axes = [a - rank if draw(st.booleans()) else a for a in chosen]       # negative spellings
        if draw(st.integers(0, 9)) == 0:
            axes.append(axes[0] % rank)                                        # a repeated axis
        axes = tuple(axes)
    return shape, axes, draw(st.booleans()), draw(st.integers(0, 2 ** 32 - 1))


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=30, deadline=None)
@given(case=mean_cases(), same_quant=st.booleans())
def test_reference_matches_tflm(dtype, case, same_quant):
    shape, axes, keep_dims, seed = case
    qi, qo = quants(np.random.default_rng(seed), dtype, same_quant)
    assert_matches_tflm(mean_model(shape, axes, keep_dims, dtype, qi, qo), samples=2, seed=seed, float_tol=FLOAT_TOL)


C_CASES = [((1, 7, 9, 5), (1, 2), True), ((3, 6, 4), (1,), False), ((2, 3, 4, 5, 2), (0, -3, 4), False)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axes,keep_dims", C_CASES, ids=["global_pool", "3d_middle", "5d_three_axes"])
def test_c_backend_matches_tflm(dtype, shape, axes, keep_dims):
    qi, qo = quants(np.random.default_rng(7), dtype, same=False)
    assert_matches_tflm(mean_model(shape, axes, keep_dims, dtype, qi, qo), samples=2, seed=3,
                        float_tol=FLOAT_TOL, c=True)


@pytest.mark.parametrize("c", [False, True], ids=["reference", "c"])
def test_equal_quantisation_rounds_to_nearest(c):
    """Equal input/output quantisation still rescales with rounding (sum 5 / 3 -> 2, -11 / 3 -> -4)."""
    x = np.array([[1, 2, 2], [-3, -4, -4]], dtype=np.int8).reshape(1, 2, 3)
    model = mean_model((1, 2, 3), (-1,), False, "int8", q(0.1, 5), q(0.1, 5))
    assert_matches_tflm(model, inputs=[x], c=c)
    from tests.tflm import run_tflm
    np.testing.assert_array_equal(run_tflm(model, [x])[0], [[2, -4]])


@pytest.mark.parametrize("dtype,s_in,s_out,zp_in,zp_out", [
    ("int8", 0.5, 0.001, 10, -3),        # large ratio: the left shift wraps int32, the result saturates
    ("int8", 1e-6, 0.5, 100, 3),         # tiny ratio: the 1/n folding is clamped to 31 + shift
    ("int8", 1e-11, 1.0, 0, 0),          # ratio below 2^-31: multiplier 0, output = zp_out
    ("int8", 0.02, 0.021, -128, 127),
    ("int16", 0.3, 1e-4, 0, 0),
    ("int16", 1e-9, 1.0, 0, 0),
])
@pytest.mark.parametrize("shape,axes", [((1, 64, 64, 4), (1, 2)), ((2, 300), (-1,)), ((3, 5, 7), (0, 1, 2))])
def test_extreme_requantisation(dtype, s_in, s_out, zp_in, zp_out, shape, axes):
    model = mean_model(shape, axes, True, dtype, q(s_in, zp_in), q(s_out, zp_out))
    assert_matches_tflm(model, samples=2, seed=11)


def test_extreme_requantisation_c():
    model = mean_model((1, 64, 64, 4), (1, 2), True, "int8", q(0.5, 10), q(0.001, -3))
    xs = [random_int(np.random.default_rng(5), (1, 64, 64, 4), "int8")]
    assert_matches_tflm(model, inputs=xs, c=True)


def _graph(attrs, x_dtype="int8", y_dtype="int8", shape=(1, 4, 4, 3)):
    quant = q(0.1, 0)
    x = act("x", shape, x_dtype, quant if x_dtype != "float32" else None)
    y = act("y", (), y_dtype, quant if y_dtype != "float32" else None)
    return Graph("m", {"x": x, "y": y}, [Node("n1", "mean", ["x"], ["y"], attrs)], ["x"], ["y"], source="m.tflite")


@pytest.mark.parametrize("attrs,y_dtype,expected", [
    ({"axes": ()}, "int8", "MEAN with no axes to reduce is not supported"),
    ({"axes": (1, 4)}, "int8", "axis 4 is out of range for a 4-D input"),
    ({"axes": (-5,)}, "int8", "axis -5 is out of range for a 4-D input"),
    ({"axes": (1, 2)}, "int16", "output dtype int16 differs from input dtype int8"),
])
def test_unsupported_configurations_are_refused_clearly(attrs, y_dtype, expected):
    with pytest.raises(TinyccError) as err:
        validate(_graph(attrs, y_dtype=y_dtype))
    text = err.value.render()
    assert expected in text and "'n1'" in text and "mean" in text and "m.tflite" in text


def test_int32_input_is_refused_clearly():
    g = _graph({"axes": (1,)}, x_dtype="int32", y_dtype="int32")
    with pytest.raises(TinyccError, match="input dtype int32 is not supported") as err:
        validate(g)
    assert "supported: int8, int16, float32" in err.value.render()
