"""Multi-subgraph models (issue 17): resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE,
CALL_ONCE), IF and WHILE, converted by TensorFlow, against TF Lite Micro over several invokes of ONE
interpreter and after its reset: tinycc's reference interpreter, the model written back by tinycc's
flatbuffer writer, and the `c` backend (all samples in one process, NAME_reset() where TFLM resets)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tinycc.core.errors import TinyccError
from tinycc.core.interpreter import Interpreter
from tinycc.plugins.importers.tflite import load_tflite

tf = pytest.importorskip("tensorflow", reason="the models are made with TensorFlow's converter")

RESET_AT = 3                 # TFLM's reset() (and NAME_reset()) before this sample


def _convert(module) -> bytes:
    fn = module.__call__.get_concrete_function()
    return tf.lite.TFLiteConverter.from_concrete_functions([fn], module).convert()


def _accumulator() -> bytes:
    class Acc(tf.Module):          # streaming state: a running sum, initialised to non-zero values
        def __init__(self):
            self.v = tf.Variable([1.0, -2.0, 0.5, 4.0], name="acc")
            self.n = tf.Variable(0, name="count")

        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            self.v.assign_add(x[0] * 0.5)
            self.n.assign_add(1)
            return self.v.read_value()[None] * tf.cast(self.n, tf.float32)
    return _convert(Acc())


def _cond() -> bytes:
    class Cond(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
    return _convert(Cond())


def _while() -> bytes:
    class Loop(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            n = tf.minimum(tf.cast(tf.reduce_sum(tf.abs(x)), tf.int32), 5)      # a data-dependent trip count
            _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * 0.5 + 1.0), (0, x))
            return y
    return _convert(Loop())


def _state_and_cond() -> bytes:
    class Both(tf.Module):       # a variable updated inside a branch
        def __init__(self):
            self.v = tf.Variable(tf.zeros([4]), name="mem")

        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            def grow():
                self.v.assign_add(x[0])
                return self.v.read_value()

            def keep():
                return self.v.read_value() - 1.0
            return tf.cond(tf.reduce_sum(x) > 0, grow, keep)[None]
    return _convert(Both())


def _nested() -> bytes:
    class Nested(tf.Module):     # an IF inside a WHILE's body, and an IF after the loop
        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def __call__(self, x):
            n = tf.minimum(tf.cast(tf.reduce_sum(tf.abs(x)), tf.int32), 4)

            def body(i, y):
                return i + 1, tf.cond(tf.reduce_sum(y) > 0, lambda: y * 0.5 - 1.0, lambda: y * 1.5 + 2.0)
            _, y = tf.while_loop(lambda i, y: i < n, body, (0, x))
            return tf.cond(tf.reduce_max(y) > 1.0, lambda: y + 3.0, lambda: y * y)
    return _convert(Nested())


MODELS = {"accumulator": _accumulator, "cond": _cond, "while": _while, "state_and_cond": _state_and_cond,
          "nested": _nested}


def _samples(n: int = 6, seed: int = 0) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.uniform(-4, 4, (1, 4)).astype(np.float32)] for _ in range(n)]


def tflm_steps(model: bytes, samples, reset_at: int | None = RESET_AT) -> list[list[np.ndarray]]:
    """TFLM's outputs through ONE interpreter, reset() before sample `reset_at`."""
    from tinycc.backends.tflm.interpreter import interpreter, output_count
    it, outs = interpreter(model), []
    for k, xs in enumerate(samples):
        if k == reset_at:
            it.reset()
        for i, x in enumerate(xs):
            it.set_input(np.ascontiguousarray(x), i)
        it.invoke()
        outs.append([np.array(it.get_output(i)) for i in range(output_count(model))])
    return outs


def reference_steps(g, samples, reset_at: int | None = RESET_AT) -> list[list[np.ndarray]]:
    it, outs = Interpreter(g), []
    for k, xs in enumerate(samples):
        if k == reset_at:
            it.reset()
        outs.append(it.run(xs))
    return outs


def _assert_equal(got, want, label):
    for k, (o, e) in enumerate(zip(got, want)):
        for i, (a, b) in enumerate(zip(o, e)):
            np.testing.assert_allclose(np.asarray(a).reshape(b.shape), b, rtol=1e-6, atol=1e-6,
                                       err_msg=f"{label}: sample {k}, output {i}")


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request):
    return request.param, MODELS[request.param]()


def test_reference_equals_tflm_across_invokes_and_reset(model):
    name, data = model
    g = load_tflite(Path(f"{name}.tflite"), data)
    assert len(g.subgraphs) >= 2
    samples = _samples()
    want = tflm_steps(data, samples)
    _assert_equal(reference_steps(g, samples), want, f"{name} reference")
    if name == "accumulator":        # the state really carries over (a fresh interpreter differs)
        assert not np.array_equal(want[1][0], tflm_steps(data, samples[1:2])[0][0])


def test_writer_round_trip_runs_in_tflm(model):
    from tinycc.backends.tflm.flatbuffer import write_tflite
    name, data = model
    g = load_tflite(Path(f"{name}.tflite"), data)
    written = write_tflite(g)
    samples = _samples(seed=1)
    _assert_equal(tflm_steps(written, samples), tflm_steps(data, samples), f"{name} written back")
    again = load_tflite(Path("again.tflite"), written)
    assert len(again.subgraphs) == len(g.subgraphs)


def test_reset_zeroes_variables_and_keeps_call_once():
    """TFLM's reset zeroes resource variables and does not run CALL_ONCE's init again: after a reset the
    accumulator starts from 0, not from its initial value [1, -2, 0.5, 4]."""
    data = _accumulator()
    g = load_tflite(Path("acc.tflite"), data)
    zero = [np.zeros((1, 4), np.float32)]
    first = reference_steps(g, [zero, zero], reset_at=1)
    np.testing.assert_array_equal(first[0][0], [[1.0, -2.0, 0.5, 4.0]])
    np.testing.assert_array_equal(first[1][0], [[0.0, 0.0, 0.0, 0.0]])
    _assert_equal(first, tflm_steps(data, [zero, zero], reset_at=1), "reset")


def test_hostile_subgraph_index_is_refused():
    from tinycc.backends.tflm.flatbuffer import write_tflite
    g = load_tflite(Path("cond.tflite"), _cond())
    node = next(n for n in g.nodes if n.op == "if")
    node.attrs["then_subgraph"] = 0                   # the main graph calling itself
    with pytest.raises(TinyccError, match="subgraph 0"):
        load_tflite(Path("bad.tflite"), write_tflite(g))
    node.attrs["then_subgraph"] = 7
    with pytest.raises(TinyccError, match="names subgraph 7"):
        load_tflite(Path("bad.tflite"), write_tflite(g))


def c_steps(g, samples, reset_at: int | None = RESET_AT) -> list[list[np.ndarray]]:
    """The c backend's outputs, every sample in one process (model_reset() before `reset_at` when the
    model has persistent state; a model without any has nothing to reset)."""
    from tests.c_build import CBackend, memory, run_c_steps
    if memory.plan(g, **CBackend.plan_options).state_bytes:
        return run_c_steps(g, samples, reset_at)
    import shutil
    import tempfile

    from tests.c_build import build, run_exe
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-cf-"))
    try:
        return run_exe(build(g, workdir), g, samples)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_c_backend_equals_tflm_across_invokes_and_reset(model):
    name, data = model
    g = load_tflite(Path(f"{name}.tflite"), data)
    samples = _samples(seed=2)
    _assert_equal(c_steps(g, samples), tflm_steps(data, samples), f"{name} c")


def test_c_report_state_bytes(tmp_path):
    """The accumulator's variables (4 float32 and one int32) are in the state buffer beside the arena,
    each 16-byte aligned: 32 bytes; NAME_STATE_BYTES says so and NAME_reset() exists."""
    from tinycc.driver import compile_model
    path = tmp_path / "acc.tflite"
    path.write_bytes(_accumulator())
    report = compile_model(path, "c", tmp_path / "out", name="acc")
    assert report["state_bytes"] == 32, report
    header = (tmp_path / "out" / "acc.h").read_text()
    assert "#define ACC_STATE_BYTES 32" in header and "void acc_reset(void);" in header


def test_post_training_quantisation_of_subgraphs_is_refused(tmp_path, capsys):
    """tinycc's PTQ quantises one graph: a model with subgraphs is refused, saying what to do instead."""
    from tinycc.cli import main
    path = tmp_path / "acc.tflite"
    path.write_bytes(_accumulator())
    np.save(tmp_path / "cal.npy", np.zeros((4, *load_tflite(path).tensors[load_tflite(path).inputs[0]].shape),
                                           np.float32))
    status = main(["compile", str(path), "-o", str(tmp_path / "out"), "--calibration", str(tmp_path / "cal.npy")])
    err = capsys.readouterr().err
    assert status == 2 and not (tmp_path / "out").exists()
    assert "acc.tflite" in err and "subgraphs" in err and "TensorFlow's converter" in err and "Traceback" not in err


@pytest.mark.parametrize("name,shared", [("cond", (1, 2)), ("while", (1, 2))])
def test_c_subgraphs_never_running_together_share_their_arena_region(name, shared):
    """IF's two branches (x * 2, x - 1) and WHILE's cond and body never run at the same time: their
    regions start at the same byte, just after the main graph's, and the arena is the main graph's
    plus the larger of the two, not their sum. The cond model's branches each hold their [1, 4]
    float32 input and output (16 + 16 B): 32 B for both instead of 64 B. The outputs equal TF Lite
    Micro's, also built with ASan + UBSan."""
    from tests.c_build import CBackend, generate, memory
    from tests.ops.check import run_c_sanitized
    data = MODELS[name]()
    g = load_tflite(Path(f"{name}.tflite"), data)
    plan = memory.plan(g, **CBackend.plan_options)
    files, report = generate(g, plan, "model")
    region = {int(k): (int(a), int(b)) for k, a, b in
              re.findall(r"/\* subgraph (\d+) .*?: arena bytes \[(\d+), (\d+)\) \*/", files["model.c"])}
    a, b = (region[k] for k in shared)
    assert a[0] == b[0] == -(-plan.arena_bytes // 16) * 16
    sizes = [end - start for start, end in (a, b)]
    assert report["arena_bytes"] == a[0] + max(sizes) < a[0] + sum(sizes)
    if name == "cond":
        assert sizes == [32, 32] and report["arena_bytes"] == plan.arena_bytes + 32
    samples = _samples(seed=4)
    want = tflm_steps(data, samples, None)
    _assert_equal(c_steps(g, samples, None), want, f"{name} c")
    _assert_equal(run_c_sanitized(g, samples), want, f"{name} sanitized c")


def test_c_nested_subgraph_region_lies_above_its_callers():
    """An IF inside a WHILE's body runs while the body and the main graph run: its branches share one
    region, which starts where the body's ends (the body's and the cond's start where the main
    graph's ends); the IF after the loop reuses the loop's bytes."""
    from tests.c_build import CBackend, generate, memory
    g = load_tflite(Path("nested.tflite"), _nested())
    plan = memory.plan(g, **CBackend.plan_options)
    files, report = generate(g, plan, "model")
    region = {int(k): (int(a), int(b)) for k, a, b in
              re.findall(r"/\* subgraph (\d+) .*?: arena bytes \[(\d+), (\d+)\) \*/", files["model.c"])}
    loop = next(n for n in g.nodes if n.op == "while")
    after = next(n for n in g.nodes if n.op == "if")
    cond, body = loop.attrs["cond_subgraph"], loop.attrs["body_subgraph"]
    inner = next(n for n in g.subgraphs[body].nodes if n.op == "if")
    main_end = -(-plan.arena_bytes // 16) * 16
    assert region[cond][0] == region[body][0] == region[after.attrs["then_subgraph"]][0] == main_end
    assert region[inner.attrs["then_subgraph"]][0] == region[inner.attrs["else_subgraph"]][0] == region[body][1]
    assert report["arena_bytes"] == max(end for _, end in region.values())
