"""SVDF against TF Lite Micro over several invocations of one interpreter: the state (a variable
tensor) carries from one invocation to the next in both, and `Interpreter.reset` returns it to TFLM's
reset values. Random valid layers: rank dividing the filters, memory_size >= 1, int8 with an int16
or an int8 state, float32. The c backend has no SVDF kernel yet: refused with a clear error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tflite_builder import act, const, q, random_scale, random_zp
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.interpreter import Interpreter
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

ACTS = ("none", "relu", "relu6", "relu_n1_to_1")


def svdf_model(inputs: list[Tensor], out: Tensor, attrs: dict, check: bool = True) -> bytes:
    """A one-SVDF model: the state (inputs[4]) is a variable tensor, not a model input."""
    tensors = {t.name: t for t in [*inputs, out]}
    node = Node("svdf_under_test", "svdf", [t.name for t in inputs], [out.name], dict(attrs))
    g = Graph("svdf", tensors, [node], [inputs[0].name], [out.name], source="<svdf test>")
    return write_tflite(validate(g) if check else g)


def build(rng, dtype, state_dtype="int16"):
    batch, size = int(rng.integers(1, 3)), int(rng.integers(1, 12))
    rank, units, memory = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 6))
    filters = rank * units
    act_fn = str(rng.choice(ACTS))
    if dtype == "float32":
        ins = [act("x", (batch, size), dtype),
               const("wf", rng.normal(0, 0.5, (filters, size)).astype(np.float32)),
               const("wt", rng.normal(0, 0.5, (filters, memory)).astype(np.float32)),
               const("b", rng.normal(0, 0.5, units).astype(np.float32)),
               Tensor("state", (batch, filters * memory), dtype, variable=True)]
        return svdf_model(ins, act("y", (), dtype), {"rank": rank, "activation": act_fn})
    wide = state_dtype == "int16"
    top = 32767 if wide else 127
    x = act("x", (batch, size), "int8", q(random_scale(rng), random_zp(rng, "int8")))
    sw = random_scale(rng, 1e-3, 0.05)
    wf = const("wf", rng.integers(-127, 128, (filters, size)).astype(np.int8), q(sw))
    s_state = float(np.float32(x.quant.s * sw * 127 * 64 * np.sqrt(size) / top * rng.uniform(0.3, 3)))
    state_zp = 0 if wide else int(rng.integers(-20, 21))
    state = Tensor("state", (batch, filters * memory), state_dtype, q(s_state, state_zp), variable=True)
    st = random_scale(rng, 1e-5, 1e-3) if wide else random_scale(rng, 1e-3, 0.05)
    wt = const("wt", rng.integers(-top, top + 1, (filters, memory)).astype(state_dtype), q(st))
    b_scale = float(np.float32(s_state) * np.float32(st))
    b = const("b", rng.integers(-5000, 5000, units).astype(np.int32), q(b_scale))
    s_out = float(np.float32(s_state * st * top * top / 2 * np.sqrt(memory * rank) / 127 * rng.uniform(0.05, 0.5)))
    y = act("y", (), "int8", q(s_out, random_zp(rng, "int8")))
    return svdf_model([x, wf, wt, b, state], y, {"rank": rank, "activation": act_fn})


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


def assert_steps_match(model: bytes, seed: int, steps: int = 6, reset_at: int | None = None):
    g = load_tflite(Path("svdf.tflite"), model)
    rng = np.random.default_rng(seed)
    xs = [random_input(g, rng) for _ in range(steps)]
    expected = tflm_steps(model, xs, reset_at)
    interp = Interpreter(g)
    for k, x in enumerate(xs):
        if k == reset_at:
            interp.reset()
        got = interp.run([x])[0].reshape(expected[k].shape)
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


def test_c_backend_refuses_svdf_clearly(tmp_path):
    import subprocess
    import sys
    model = tmp_path / "svdf.tflite"
    model.write_bytes(build(np.random.default_rng(3), "int8"))
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "svdf" in proc.stderr and "c backend" in proc.stderr
