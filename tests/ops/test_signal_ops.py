"""The signal-library operators beyond the generic per-op cases: state kept across invocations
(SignalFilterBankSpectralSubtraction's noise estimate) in the reference and the c backend against
TF Lite Micro invoked on consecutive frames, and SignalEnergy's partial bin range (TFLM leaves the
bins outside [start_index, end_index) unwritten: only those inside are compared)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases._signal import plain
from tests.ops.cases.signal_filter_bank_spectral_subtraction import attrs, model
from tests.tflite_builder import act, single_op
from tinycc.backends.tflm.interpreter import interpreter as tflm_interpreter
from tinycc.core.interpreter import Interpreter
from tinycc.plugins.importers.tflite import load_tflite

FRAMES = 5


def tflm_frames(model_bytes: bytes, frames: list[list[np.ndarray]], outputs: int) -> list[list[np.ndarray]]:
    """One TF Lite Micro interpreter invoked on each frame in turn (its kernel state carried over)."""
    interp = tflm_interpreter(model_bytes)
    results = []
    for xs in frames:
        for i, x in enumerate(xs):
            interp.set_input(np.ascontiguousarray(x), i)
        interp.invoke()
        results.append([np.array(interp.get_output(i)) for i in range(outputs)])
    return results


def c_frames(g, frames):
    from tests.c_build import build, run_exe
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-signal-"))
    try:
        return run_exe(build(g, workdir), g, frames)        # one process: static state carried over
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.parametrize("seed", range(4))
def test_spectral_subtraction_state_across_invocations(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 48))
    options = attrs(rng, n)
    s, alt = (int(rng.integers(1, 1 << 14)) for _ in range(2))       # a filter that moves (14 bits, as the
    options.update(smoothing=s, one_minus_smoothing=(1 << 14) - s, alternate_smoothing=alt,   # audio model)
                   alternate_one_minus_smoothing=(1 << 14) - alt, spectral_subtraction_bits=14,
                   smoothing_bits=int(rng.integers(0, 11)), min_signal_remaining=int(rng.integers(0, 1 << 14)))
    m = model(n, options)
    g = load_tflite(Path("t.tflite"), m)
    level = rng.integers(0, 1 << 20, size=n)
    frames = [[(level + rng.integers(0, 1 << 16, size=n)).astype(np.uint32)] for _ in range(FRAMES)]
    expected = tflm_frames(m, frames, 2)
    ref = Interpreter(g)
    got_ref = [ref.run(xs) for xs in frames]
    got_c = c_frames(g, frames)
    for k in range(FRAMES):
        for i in range(2):
            np.testing.assert_array_equal(got_ref[k][i], expected[k][i], err_msg=f"reference frame {k} output {i}")
            np.testing.assert_array_equal(np.asarray(got_c[k][i]).reshape(-1), expected[k][i],
                                          err_msg=f"c frame {k} output {i}")
    assert any(not np.array_equal(expected[0][1], expected[k][1]) for k in range(1, FRAMES)), \
        "the noise estimate should move between frames"
    ref.reset()                                          # TFLM's Reset: back to a zero estimate
    np.testing.assert_array_equal(ref.run(frames[0])[1], expected[0][1])


@pytest.mark.parametrize("seed", range(3))
def test_energy_partial_range(seed):
    rng = np.random.default_rng(seed)
    bins = int(rng.integers(4, 300))
    start = int(rng.integers(0, bins))
    end = int(rng.integers(start, bins + 1))
    m = single_op("signal_energy", [plain("x", (2 * bins,), "int16")], act("y", (), "uint32"),
                  {"start_index": start, "end_index": end})
    g = load_tflite(Path("t.tflite"), m)
    x = rng.integers(-32768, 32768, size=2 * bins).astype(np.int16)
    x[2 * start:2 * start + 2] = -32768                  # the int32 sum that wraps to 2^31
    (expected,), = tflm_frames(m, [[x]], 1)
    got_ref = Interpreter(g).run([x])[0]
    got_c = np.asarray(c_frames(g, [[x]])[0][0]).reshape(-1)
    for got in (got_ref, got_c):
        np.testing.assert_array_equal(got[start:end], expected[start:end])
        assert not got[:start].any() and not got[end:].any()
    if end > start:
        assert expected[start] == 1 << 31
