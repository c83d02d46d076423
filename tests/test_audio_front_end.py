"""TF Lite Micro's micro_speech audio front end (../shared/models/tflm_examples/
audio_preprocessor_{int8,float}.tflite: the signal library's custom operators) through tinycc
against TF Lite Micro, on random int16 audio frames, several consecutive invocations in one
interpreter / one C process (SignalFilterBankSpectralSubtraction keeps a noise estimate).

The whole models also need CAST, DIV, MINIMUM and MAXIMUM (and int32 ADD / MUL); until tinycc has
them, those tests skip naming what is missing, and the two stretches of the real graph made only of
operators tinycc has are cut out of the file and compared instead: window -> reshape -> FFT
auto-scale -> RFFT -> energy, and filter bank -> square root -> spectral subtraction -> PCAN ->
log. Integers must be identical; the float model's last MUL is float32 (tolerance FLOAT_TOL)."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import flatbuffers
import numpy as np
import pytest

from tests.tflm import models_dir
from tinycc.backends.tflm.interpreter import interpreter as tflm_interpreter
from tinycc.core.errors import TinyccError
from tinycc.core.interpreter import Interpreter
from tinycc.plugins.importers.tflite import load_tflite

FRAMES = 4
FLOAT_TOL = 1e-5
ENERGY_RANGE = (5, 241)       # the bins SignalEnergy computes (start_index, end_index); TFLM leaves the rest


def _model(variant: str) -> bytes:
    path = models_dir() / "tflm_examples" / f"audio_preprocessor_{variant}.tflite"
    if not path.is_file():
        pytest.skip(f"{path} is absent (set TINYCC_MODELS to the shared models folder)")
    return path.read_bytes()


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    return schema


def cut(model: bytes, first: int, last: int, inputs: list[str], outputs: list[str]) -> bytes:
    """The model with only operators first..last (inclusive) and these (named) subgraph inputs / outputs."""
    m = _schema().ModelT.InitFromPackedBuf(bytearray(model), 0)
    sg = m.subgraphs[0]
    index = {t.name.decode(): i for i, t in enumerate(sg.tensors)}
    sg.operators = sg.operators[first:last + 1]
    sg.inputs = np.array([index[n] for n in inputs], dtype=np.int32)
    sg.outputs = np.array([index[n] for n in outputs], dtype=np.int32)
    m.signatureDefs = None
    builder = flatbuffers.Builder(1 << 16)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def tflm_frames(model: bytes, frames: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    interp = tflm_interpreter(model)
    outputs = _schema().Model.GetRootAs(model, 0).Subgraphs(0).OutputsLength()
    results = []
    for xs in frames:
        for i, x in enumerate(xs):
            interp.set_input(np.array(x), i)     # 0-D stays 0-D
        interp.invoke()
        results.append([np.array(interp.get_output(i)) for i in range(outputs)])
    return results


def c_frames(g, frames):
    from tests.c_build import build, run_exe
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-audio-"))
    try:
        return run_exe(build(g, workdir), g, frames)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def audio(rng, loud: bool) -> np.ndarray:
    """One 480-sample int16 frame: noise plus a tone, loud or quiet (the auto-scale shift varies)."""
    t = np.arange(480)
    amp = 20000 if loud else 300
    x = amp * np.sin(2 * np.pi * rng.uniform(100, 4000) / 16000 * t) + rng.normal(0, amp / 10, 480)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16).reshape(1, 480)


def compare(model: bytes, frames, sl=slice(None), float_tol=None):
    g = load_tflite(Path("audio.tflite"), model)
    expected = tflm_frames(model, frames)
    ref = Interpreter(g)
    got_ref = [ref.run(xs) for xs in frames]
    got_c = c_frames(g, frames)
    for k in range(len(frames)):
        for i, e in enumerate(expected[k]):
            for label, got in (("reference", got_ref[k][i]), ("c", got_c[k][i])):
                o = np.asarray(got).reshape(e.shape)
                if float_tol is not None and e.dtype == np.float32:
                    np.testing.assert_allclose(o, e, rtol=float_tol, atol=float_tol, err_msg=f"{label} frame {k}")
                else:
                    np.testing.assert_array_equal(o.reshape(-1)[sl], e.reshape(-1)[sl],
                                                  err_msg=f"{label} frame {k} output {i}")
    return expected


@pytest.mark.parametrize("variant", ["int8", "float"])
def test_spectrum_stretch_of_the_real_model(variant):
    """Window -> reshape -> FFT auto-scale -> RFFT (int16, fft_length 512) -> energy, with the
    model's own window and options."""
    model = cut(_model(variant), 0, 4, ["serving_default_audio_frame:0"], ["signal_energy"])
    rng = np.random.default_rng(0)
    frames = [[audio(rng, loud=k % 2 == 0)] for k in range(FRAMES)]
    expected = compare(model, frames, sl=slice(*ENERGY_RANGE))
    assert any(e[0].reshape(-1)[ENERGY_RANGE[0]:ENERGY_RANGE[1]].max() > 0 for e in expected)


@pytest.mark.parametrize("variant", ["int8", "float"])
def test_filter_bank_stretch_of_the_real_model(variant):
    """Filter bank -> square root (the auto-scale shift as a second input) -> spectral subtraction
    (state across frames) -> PCAN -> log, with the model's own tables and options, on a slowly
    varying uint32 spectrum."""
    model = cut(_model(variant), 9, 13, ["Cast_1", "signal_fft_auto_scale1"], ["signal_filter_bank_log"])
    rng = np.random.default_rng(1)
    base = rng.integers(0, 1 << 22, size=257)
    frames = [[(base * rng.uniform(0.5, 1.5, 257)).astype(np.uint32), np.int32(rng.integers(0, 8))]
              for _ in range(FRAMES + 2)]
    expected = compare(model, frames)
    assert len({e[0].tobytes() for e in expected}) > 1


@pytest.mark.parametrize("variant", ["int8", "float"])
def test_whole_front_end(variant):
    model = _model(variant)
    try:
        load_tflite(Path(f"audio_preprocessor_{variant}.tflite"), model)
    except TinyccError as err:
        if "not supported" in str(err):
            pytest.skip(f"tinycc lacks operators of the model: {err.message if hasattr(err, 'message') else err}")
        raise
    rng = np.random.default_rng(2)
    frames = [[audio(rng, loud=k % 2 == 0)] for k in range(FRAMES)]
    compare(model, frames, float_tol=FLOAT_TOL)


# ---- the FFTs' work buffers are planned scratch in the arena, not hidden static RAM ----
STATIC_ARRAY = re.compile(r"^\s*static (?!const\b|inline\b)[\w ]*\b\w+\s*\[", re.M)


def _c_sources(g):
    from tinycc.backends.c.plugin import CBackend, generate
    from tinycc.core.passes import memory
    plan = memory.plan(g, **CBackend.plan_options)
    files, report = generate(g, plan, "model")
    return files["model.c"], report, plan


def test_front_end_fft_work_buffer_is_in_the_reported_arena():
    """The int8 front end's RFFT (int16, fft_length 512) keeps its packed frame, 256 complex int16 =
    1,024 B, in the arena: model.c declares no static work array, and the arena is the live bytes at
    the RFFT: its input 960 B + the auto-scale shift 4 -> 16 B + its output 1,028 -> 1,040 B + the
    scratch 1,024 B = 3,040 B (TF Lite Micro's head for the model is 3,040 B too). Before, the work
    buffers were 2 x 1,024 B of static arrays beside a 2,096 B arena (peak at the energy node)."""
    model = _model("int8")
    g = load_tflite(Path("audio_preprocessor_int8.tflite"), model)
    text, report, plan = _c_sources(g)
    assert STATIC_ARRAY.findall(text) == []
    assert "tinycc_cpx16 *)(arena.bytes + " in text
    rfft = next(i for i, n in enumerate(g.nodes) if n.op == "signal_rfft")
    assert [b.size for b in plan.buffers if b.name == plan.scratch[rfft]] == [1024]
    assert report["arena_bytes"] == 960 + 16 + 1040 + 1024 == 3040


@pytest.mark.parametrize("op,dtype,scratch", [("signal_rfft", "int16", 1024), ("signal_rfft", "int32", 2048),
                                              ("signal_rfft", "float32", 0), ("signal_irfft", "int16", 1024),
                                              ("signal_irfft", "int32", 2048), ("signal_irfft", "float32", 0)])
def test_lone_fft_arena_is_exactly_its_scratch(op, dtype, scratch):
    """A model of one FFT (fft_length 512, two frames; inputs and outputs in the caller's buffers) has
    an arena of exactly its work buffer: 256 complex values of its type (none for float32's direct
    sums); no static array; two frames equal TF Lite Micro's, also under ASan + UBSan."""
    from tests.ops.cases._signal import plain
    from tests.ops.check import assert_matches_tflm
    from tests.tflite_builder import act, single_op
    x = plain("x", (2, 480) if op == "signal_rfft" else (2, 514), dtype)
    model = single_op(op, [x], act("y", (), dtype), {"fft_length": 512})
    g = assert_matches_tflm(model, samples=2, seed=3, c=True, sanitize=True)
    text, report, _ = _c_sources(g)
    assert STATIC_ARRAY.findall(text) == []
    assert report["arena_bytes"] == scratch
