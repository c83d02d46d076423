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


@pytest.mark.parametrize("op", ["logistic", "tanh"])
def test_int16_sigmoid_like_refuses_what_tflm_prepare_refuses(op):
    """int16 LOGISTIC / TANH run (cases/logistic.py, tanh.py); an output scale TFLM's Prepare fails on
    (not 2^-15) is a clear error naming the file, the node, the op, the tensor and its scale."""
    from tests.tflite_builder import act, q
    from tinycc.core.errors import TinyccError
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    x, y = act("x", (1, 8), "int16", q(1 / 4096, 0)), act("y", (), "int16", q(1 / 256, 0))
    g = Graph(op, {"x": x, "y": y}, [Node("n1", op, ["x"], ["y"], {})], ["x"], ["y"], source="m.tflite")
    with pytest.raises(TinyccError) as err:
        validate(g)
    text = err.value.render()
    assert "m.tflite" in text and "'n1'" in text and op in text and "int16" in text and "2^-15" in text
    assert "'y'" in text and "0.00390625" in text
