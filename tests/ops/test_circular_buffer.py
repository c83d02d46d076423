"""CIRCULAR_BUFFER (TF Lite Micro's custom operator) over several invokes of one model instance:
the valid flag equals TFLM's on every invoke and the frames equal TFLM's wherever TFLM defines them
(TFLM keeps the history in its output tensor, whose slots older than the invokes since Prepare hold
the arena's prior content); the C (one process, NAME_reset() before RESET_AT; some configurations
also under ASan + UBSan) and the reference (Interpreter.reset()) equal a fresh TFLM interpreter
after the reset. Also: the flexbuffer options are TFLM's own bytes and read back unchanged, corrupt
options are refused, and a model compiles with the c and the tflm backends."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases import circular_buffer as cases
from tests.ops.check import runs_with_reset, tflm_sequence
from tests.tflite_builder import act, q
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node
from tinycc.core.interpreter import Interpreter
from tinycc.core.samples import random_inputs
from tinycc.plugins.importers.tflite import load_tflite

INVOKES, RESET_AT = 12, 7
# TFLM's circular_buffer_flexbuffers_generated_data.cc: the options {"cycles_max": 1}
TFLM_CONFIG = bytes([0x63, 0x79, 0x63, 0x6C, 0x65, 0x73, 0x5F, 0x6D, 0x61, 0x78, 0x00, 0x01, 0x0C, 0x01, 0x01,
                     0x01, 0x01, 0x04, 0x02, 0x24, 0x01])

# (H, D), slots, cycles_max, valid output: explicit cycles, TFLM's guess (None: no options; 0 and
# negatives: the same guess, 1 for 5 / 13 / 25 slots, else 2), and the one-output form (cycles 1)
CONFIGS = [((1, 3), 4, 2, True), ((2, 5), 3, 3, True), ((1, 7), 6, 1, True), ((1, 4), 4, None, True),
           ((3, 2), 2, -5, True), ((1, 6), 5, None, True), ((1, 8), 3, 1, False), ((2, 3), 5, 0, False),
           ((1, 1), 1, 4, True)]


def _frames(g, rng, n):
    return [random_inputs(g, rng) for _ in range(n)]


def _defined(y, slots, invokes):
    """The newest min(invokes, slots) frames of an output [1, slots, H, D]: those TFLM has written."""
    y = np.asarray(y).reshape(slots, -1)
    return y[slots - min(invokes, slots):]


@pytest.mark.parametrize("hw,slots,cycles,flag", CONFIGS, ids=[f"{c[0]}-{c[1]}slots-cycles{c[2]}-flag{c[3]}"
                                                                for c in CONFIGS])
def test_sequence_and_reset_match_tflm(hw, slots, cycles, flag):
    rng = np.random.default_rng(slots * 31 + hw[1])
    model = cases.model(hw, slots, cycles, flag, q(0.07, -9))
    g = load_tflite(Path("t.tflite"), model)
    frames = _frames(g, rng, INVOKES)
    runs = runs_with_reset(model, g, frames, RESET_AT)
    expected, got_ref, got_c = runs.tflm, runs.ref, runs.c
    valid_seen = 0
    for k in range(INVOKES):
        since = k + 1 if k < RESET_AT else k - RESET_AT + 1
        want, ref_k = runs.tflm_reset(k), runs.ref_with_reset(k)
        np.testing.assert_array_equal(_defined(got_ref[k][0], slots, k + 1), _defined(expected[k][0], slots, k + 1),
                                      err_msg=f"reference invoke {k}")
        np.testing.assert_array_equal(_defined(ref_k[0], slots, since), _defined(want[0], slots, since),
                                      err_msg=f"reference invoke {k} (reset before {RESET_AT})")
        np.testing.assert_array_equal(_defined(got_c[k][0], slots, since), _defined(want[0], slots, since),
                                      err_msg=f"c invoke {k} (reset before {RESET_AT})")
        np.testing.assert_array_equal(np.asarray(got_c[k][0]).reshape(-1), np.asarray(ref_k[0]).reshape(-1),
                                      err_msg=f"c vs reference invoke {k}, every slot (zeros before the first)")
        if flag:
            assert bool(np.asarray(got_ref[k][1]).reshape(())) == bool(np.asarray(expected[k][1]).reshape(()))
            assert bool(np.asarray(got_c[k][1]).reshape(())) == bool(np.asarray(want[1]).reshape(()))
            valid_seen += bool(np.asarray(want[1]).reshape(()))
    if slots > 1 and hw[0] > 1:                # one process under ASan + UBSan: the same bytes, no report
        from tests.ops.check import run_c_sanitized
        for k, outs in enumerate(run_c_sanitized(g, frames)):
            np.testing.assert_array_equal(np.asarray(outs[0]).reshape(-1), np.asarray(got_ref[k][0]).reshape(-1))
    if flag:
        period = runs.interpreter.params[0]["cycles_max"]
        assert valid_seen == RESET_AT // period + (INVOKES - RESET_AT) // period   # valid every cycles_max invokes


def test_tflm_guess_and_valid_period():
    """TFLM's guess without options: 1 for 5 slots, 2 for 4; the flag is true every cycles_max invokes."""
    for slots, period in ((5, 1), (4, 2), (13, 1), (7, 2)):
        model = cases.model((1, 2), slots, None, True)
        g = load_tflite(Path("t.tflite"), model)
        frames = _frames(g, np.random.default_rng(slots), 6)
        flags = [bool(np.asarray(o[1]).reshape(())) for o in tflm_sequence(model, frames)]
        assert flags == [(k + 1) % period == 0 for k in range(6)], (slots, flags)
        assert Interpreter(g).params[0]["cycles_max"] == period


def _options(model: bytes) -> bytes:
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    op = s.Model.GetRootAs(model, 0).Subgraphs(0).Operators(0)
    return bytes(op.CustomOptionsAsNumpy()) if op.CustomOptionsLength() else b""


def test_options_are_tflm_bytes_and_read_back_unchanged():
    from tinycc.backends.tflm.flatbuffer import write_tflite
    model = cases.model((1, 3), 4, 1, True)
    assert _options(model) == TFLM_CONFIG
    for cycles in (1, 2, 1000, -3, 0, None, (1 << 31) - 1):
        model = cases.model((1, 3), 4 if cycles is not None else 5, cycles, True)
        g = load_tflite(Path("t.tflite"), model)
        assert g.nodes[0].attrs["cycles_max"] == cycles
        assert _options(write_tflite(g)) == _options(model)
    assert _options(cases.model((1, 3), 5, None, True)) == b""       # no options: TFLM reads cycles_max 0


def _with_options(tmp_path, options: bytes) -> Path:
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    m = s.ModelT.InitFromObj(s.Model.GetRootAs(cases.model((1, 3), 4, 2, True), 0))
    m.subgraphs[0].operators[0].customOptions = np.frombuffer(options, dtype=np.uint8)
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    path = tmp_path / "cb.tflite"
    path.write_bytes(bytes(b.Output()))
    return path


@pytest.mark.parametrize("options,words", [
    ({"cycles_max": 2, "alpha": 1}, ["alpha", "first value by position"]),
    ({"period": 2}, ["period", "exactly cycles_max"]),
    ({"cycles_max": 2.5}, ["cycles_max 2.5", "int32"]),
    ({"cycles_max": True}, ["cycles_max True", "int32"]),
    ({"cycles_max": -(1 << 40)}, [str(-(1 << 40)), "int32"]),
], ids=["extra-key", "other-key", "float", "bool", "int64"])
def test_corrupt_options_are_refused(tmp_path, options, words):
    from flatbuffers import flexbuffers
    path = _with_options(tmp_path, bytes(flexbuffers.Dumps(options)))
    with pytest.raises(TinyccError) as err:
        load_tflite(path)
    text = err.value.render()
    assert "cb.tflite" in text and "CIRCULAR_BUFFER" in text, text
    for word in words:
        assert word in text, f"{word!r} not in: {text}"


def _streaming_model() -> bytes:
    """A circular buffer of 4 frames feeding a RELU, the valid flag a model output."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.validate import validate
    quant = q(0.05, -3)
    t = {"x": act("x", (1, 1, 1, 6), "int8", quant), "y": act("y", (1, 4, 1, 6), "int8", quant),
         "valid": act("valid", (), "bool"), "z": act("z", (1, 4, 1, 6), "int8", quant)}
    nodes = [Node("cb", "circular_buffer", ["x"], ["y", "valid"], {"cycles_max": 2, "num_slots": 4}),
             Node("relu", "relu", ["y"], ["z"], {})]
    return write_tflite(validate(Graph("stream", t, nodes, ["x"], ["z", "valid"], source="<stream>")))


def test_streaming_model_matches_tflm_once_full():
    from tests.c_build import run_c_steps
    model = _streaming_model()
    g = load_tflite(Path("stream.tflite"), model)
    frames = _frames(g, np.random.default_rng(5), 9)
    expected = tflm_sequence(model, frames)
    got_ref = [o for o in (lambda it: [it.run(xs) for xs in frames])(Interpreter(g))]
    got_c = run_c_steps(g, frames)
    for k in range(3, 9):                      # the buffer is full from the fourth invoke on
        for got in (got_ref[k], got_c[k]):
            np.testing.assert_array_equal(np.asarray(got[0]).reshape(-1), np.asarray(expected[k][0]).reshape(-1))
            assert bool(np.asarray(got[1]).reshape(())) == bool(np.asarray(expected[k][1]).reshape(()))


@pytest.mark.parametrize("backend", ["c", "tflm"])
def test_compiles_with_c_and_tflm_backends(tmp_path, backend):
    import subprocess
    import sys
    path = tmp_path / "stream.tflite"
    path.write_bytes(_streaming_model())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "--backend", backend, "-o", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    text = "".join(p.read_text() for p in out.rglob("*") if p.suffix in (".c", ".cc", ".h"))
    if backend == "c":
        assert "tinycc_circular_buffer(" in text and "model_reset" in text
    else:
        assert "resolver.AddCircularBuffer()" in text
