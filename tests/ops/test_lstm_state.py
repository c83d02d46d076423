"""UNIDIRECTIONAL_SEQUENCE_LSTM's state across invocations, as TF Lite Micro keeps it: the hidden and
cell state are variable tensors that carry from one invoke to the next (until a reset). Random LSTMs
(tests/ops/cases/unidirectional_sequence_lstm.py: batch- or time-major, with or without a cell clip)
run over several invokes of ONE TFLM interpreter, of tinycc's reference interpreter, and of the c
backend's build in one process (with NAME_reset() before one invoke): equal on every invoke."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases.unidirectional_sequence_lstm import lstm
from tests.ops.check import random_inputs
from tinycc.core.interpreter import Interpreter
from tinycc.plugins.importers.tflite import load_tflite

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

FLOAT_TOL = 1e-4


def tflm_steps(model: bytes, xs, reset_at=None) -> list[np.ndarray]:
    from tinycc.backends.tflm.interpreter import interpreter
    it = interpreter(model)
    outs = []
    for k, x in enumerate(xs):
        if k == reset_at:
            it.reset()
        it.set_input(np.ascontiguousarray(x), 0)
        it.invoke()
        outs.append(np.array(it.get_output(0)))
    return outs


def assert_equal(got, expected, what):
    got = np.asarray(got).reshape(expected.shape)
    if expected.dtype == np.float32:
        np.testing.assert_allclose(got, expected, rtol=FLOAT_TOL, atol=FLOAT_TOL, err_msg=what)
    else:
        diff = np.flatnonzero(got != expected)
        assert diff.size == 0, f"{what}: {diff.size} elements differ, first {got.flat[diff[0]]} vs TFLM " \
                               f"{expected.flat[diff[0]]}"


def check(model: bytes, seed: int, steps: int = 4, reset_at: int | None = None, c: bool = False):
    g = load_tflite(Path("lstm.tflite"), model)
    node = g.nodes[0]
    assert all(g.tensors[n].variable for n in node.inputs[16:18])       # the state: variable tensors
    rng = np.random.default_rng(seed)
    xs = [random_inputs(g, rng)[0] for _ in range(steps)]
    expected = tflm_steps(model, xs, reset_at)
    assert not all(np.array_equal(expected[0], e) for e in expected[1:]) or steps == 1
    interp = Interpreter(g)
    for k, x in enumerate(xs):
        if k == reset_at:
            interp.reset()
        assert_equal(interp.run([x])[0], expected[k], f"reference, invoke {k}")
    if c:
        from tests.c_build import run_c_steps
        for k, outs in enumerate(run_c_steps(g, [[x] for x in xs], reset_at)):
            assert_equal(outs[0], expected[k], f"c, invoke {k}")


@pytest.mark.parametrize("dtype", ["int8", "int16", "float32"])
@pytest.mark.parametrize("seed", range(6))
def test_reference_and_c_carry_the_state_as_tflm(dtype, seed):
    check(lstm(np.random.default_rng(seed), dtype), seed, c=seed < 3)


@pytest.mark.parametrize("dtype", ["int8", "int16", "float32"])
def test_reset_restores_tflm_reset_state(dtype):
    check(lstm(np.random.default_rng(40), dtype), 40, steps=5, reset_at=2, c=True)


def test_state_is_in_the_state_buffer_not_the_arena():
    from tinycc.backends.c.plugin import CBackend
    from tinycc.core.passes import memory
    g = load_tflite(Path("lstm.tflite"), lstm(np.random.default_rng(5), "int8"))
    plan = memory.plan(g, **CBackend.plan_options)
    hidden, cell = g.nodes[0].inputs[16:18]
    assert set(plan.state_offsets) == {hidden, cell}
    assert hidden not in plan.offsets and cell not in plan.offsets
    assert plan.state_bytes == sum(-(-g.tensors[n].nbytes // 16) * 16 for n in (hidden, cell))
