"""SVDF against TF Lite Micro over several invocations of one interpreter: the state (a variable
tensor) carries from one invocation to the next in both, and `Interpreter.reset` returns it to TFLM's
reset values. Random valid layers: rank dividing the filters, memory_size >= 1, int8 with an int16
or an int8 state, float32. The c backend keeps the state in its persistent state buffer: built with
-Werror -pedantic and run over the same invocations in one process (and after NAME_reset()), it equals
TFLM too."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases.svdf import build, svdf_model
from tests.tflite_builder import act, const, q
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Tensor
from tinycc.core.interpreter import Interpreter
from tinycc.plugins.importers.tflite import load_tflite

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")


def tflm_steps(model: bytes, xs: list[np.ndarray], reset_at: int | None = None) -> list[np.ndarray]:
    from tinycc.backends.tflm.interpreter import interpreter
    interp = interpreter(model)
    outs = []
    for k, x in enumerate(xs):
        if k == reset_at:
            interp.reset()
        interp.set_input(np.ascontiguousarray(x), 0)
        interp.invoke()
        outs.append(np.array(interp.get_output(0)))
    return outs


def random_input(g, rng):
    t = g.tensors[g.inputs[0]]
    if t.dtype == "float32":
        return rng.uniform(-4, 4, t.shape).astype(np.float32)
    return rng.integers(-128, 128, t.shape).astype(np.int8)


def assert_steps_match(model: bytes, seed: int, steps: int = 6, reset_at: int | None = None, c: bool = False):
    g = load_tflite(Path("svdf.tflite"), model)
    rng = np.random.default_rng(seed)
    xs = [random_input(g, rng) for _ in range(steps)]
    expected = tflm_steps(model, xs, reset_at)
    if c:
        from tests.c_build import run_c_steps
        outs = [o[0] for o in run_c_steps(g, [[x] for x in xs], reset_at)]
    else:
        interp = Interpreter(g)
        outs = []
        for k, x in enumerate(xs):
            if k == reset_at:
                interp.reset()
            outs.append(interp.run([x])[0])
    for k, got in enumerate(outs):
        got = got.reshape(expected[k].shape)
        if got.dtype == np.float32:
            np.testing.assert_allclose(got, expected[k], rtol=1e-4, atol=1e-4, err_msg=f"step {k}")
        else:
            diff = np.flatnonzero(got != expected[k])
            assert diff.size == 0, f"step {k}: {diff.size} elements differ, first {got.flat[diff[0]]} vs " \
                                   f"TFLM {expected[k].flat[diff[0]]}"


@pytest.mark.parametrize("dtype, state_dtype", [("int8", "int16"), ("int8", "int8"), ("float32", "float32")])
@pytest.mark.parametrize("seed", range(12))
def test_reference_equals_tflm_over_invocations(dtype, state_dtype, seed):
    assert_steps_match(build(np.random.default_rng(seed), dtype, state_dtype), seed)


@pytest.mark.parametrize("dtype, state_dtype", [("int8", "int16"), ("int8", "int8"), ("float32", "float32")])
def test_reset_returns_the_state_to_tflm_reset_values(dtype, state_dtype):
    assert_steps_match(build(np.random.default_rng(99), dtype, state_dtype), 99, steps=5, reset_at=3)


def test_state_is_a_variable_tensor_after_import():
    g = load_tflite(Path("svdf.tflite"), build(np.random.default_rng(1), "int8"))
    state = g.tensors[g.nodes[0].inputs[4]]
    assert state.variable and state.data is None and state.name not in g.inputs


def _layer(rank=2, bias_scale=None, out_scale=0.05, variable=True, filters=4):
    x = act("x", (1, 5), "int8", q(0.05, 3))
    wf = const("wf", np.ones((filters, 5), np.int8), q(0.01))
    wt = const("wt", np.ones((filters, 3), np.int16), q(1e-4))
    state = Tensor("state", (1, filters * 3), "int16", q(0.02, 0), variable=variable)
    b = const("b", np.zeros(2, np.int32), q(bias_scale if bias_scale is not None else float(np.float32(0.02)
                                                                                        * np.float32(1e-4))))
    return svdf_model([x, wf, wt, b, state], act("y", (), "int8", q(out_scale, 0)), {"rank": rank}, check=False)


@pytest.mark.parametrize("model, words", [
    (lambda: _layer(rank=3, filters=4), ["rank 3", "4 filters"]),
    (lambda: _layer(rank=0), ["rank 0"]),
    (lambda: _layer(bias_scale=0.5), ["'b'", "0.5"]),
    (lambda: _layer(out_scale=1e-30), ["'y'", "1e-30"]),
    (lambda: _layer(variable=False), ["'state'", "used before it is computed"]),
])
def test_invalid_layers_are_clear_errors(model, words):
    with pytest.raises(TinyccError) as err:
        load_tflite(Path("m.tflite"), model())
    text = err.value.render()
    assert "m.tflite" in text
    for word in words:
        assert word in text, text


@pytest.mark.parametrize("dtype, state_dtype", [("int8", "int16"), ("int8", "int8"), ("float32", "float32")])
@pytest.mark.parametrize("seed", range(4))
def test_c_backend_equals_tflm_over_invocations(dtype, state_dtype, seed):
    assert_steps_match(build(np.random.default_rng(seed), dtype, state_dtype), seed, c=True)


@pytest.mark.parametrize("dtype, state_dtype", [("int8", "int16"), ("int8", "int8"), ("float32", "float32")])
def test_c_reset_returns_the_state_to_tflm_reset_values(dtype, state_dtype):
    assert_steps_match(build(np.random.default_rng(98), dtype, state_dtype), 98, steps=6, reset_at=3, c=True)


def test_c_state_buffer_is_beside_the_arena(tmp_path):
    """The compile's report and outputs name the state buffer: the variable's bytes, outside the arena."""
    import json
    import subprocess
    import sys
    model = tmp_path / "svdf.tflite"
    model.write_bytes(build(np.random.default_rng(3), "int8", "int8"))
    g = load_tflite(model, model.read_bytes())
    state = g.tensors[g.nodes[0].inputs[4]]
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(tmp_path / "out"),
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["state_bytes"] == -(-state.nbytes // 16) * 16
    header = (tmp_path / "out" / "model.h").read_text()
    assert f"#define MODEL_STATE_BYTES {report['state_bytes']}" in header
    assert "void model_reset(void);" in header
    source = (tmp_path / "out" / "model.c").read_text()
    assert f"uint8_t bytes[{report['state_bytes']}];" in source
    assert f", {state.quant.zp}, {state.nbytes});" in source        # int8 state: reset to its zero point (word fill)
    assert "state bytes" in (tmp_path / "out" / "README.md").read_text()
