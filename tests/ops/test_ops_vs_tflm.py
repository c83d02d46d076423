"""Every operator, every dtype TF Lite Micro runs it in: random single-op models, tinycc vs TFLM.

Integer outputs must be identical to TFLM's reference kernels on every element; float32 outputs
within FLOAT_TOL (summation order differs). `test_reference_*` draws many cases through the
reference interpreter (hypothesis picks the seeds); `test_c_backend_*` compiles a few cases per
op and dtype with -Werror -pedantic and runs them.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ops.cases import CASES, DTYPES
from tests.ops.check import assert_matches_tflm

FLOAT_TOL = 1e-4
PAIRS = [(op, dtype) for op in CASES for dtype in DTYPES[op]]


@pytest.mark.parametrize("op,dtype", PAIRS, ids=[f"{o}-{d}" for o, d in PAIRS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_reference_matches_tflm(op, dtype, seed):
    model = CASES[op](np.random.default_rng(seed), dtype)
    assert_matches_tflm(model, samples=2, seed=seed, float_tol=FLOAT_TOL)


@pytest.mark.parametrize("op,dtype", PAIRS, ids=[f"{o}-{d}" for o, d in PAIRS])
def test_c_backend_matches_tflm(op, dtype):
    for seed in (1, 2):
        model = CASES[op](np.random.default_rng(seed), dtype)
        assert_matches_tflm(model, samples=2, seed=seed, float_tol=FLOAT_TOL, c=True)


@pytest.mark.parametrize("op,out_quant", [("logistic", (1 / 32768, 0)), ("tanh", (1 / 32768, 0))])
def test_int16_ops_tinycc_lacks_are_refused_clearly(op, out_quant):
    """TFLM runs these in int16 with interpolated tables tinycc does not implement yet: a clear error."""
    from tests.tflite_builder import act, q
    from tinycc.core.errors import TinyccError
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    x, y = act("x", (1, 8), "int16", q(1 / 4096, 0)), act("y", (), "int16", q(*out_quant))
    g = Graph(op, {"x": x, "y": y}, [Node("n1", op, ["x"], ["y"], {"beta": 1.0} if op == "softmax" else {})],
              ["x"], ["y"], source="m.tflite")
    with pytest.raises(TinyccError) as err:
        validate(g)
    text = err.value.render()
    assert "m.tflite" in text and "'n1'" in text and op in text and "int16" in text and "supported: int8" in text
