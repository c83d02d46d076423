"""Kernel state of the signal-library operators (TFLM keeps it in the kernel's persistent buffer; the
reference in params["state"], the c backend in the model's persistent state buffer): consecutive
invokes of one model instance equal TF Lite Micro's through one interpreter, and NAME_reset() (the
C model's) / Interpreter.reset() bring the state back to TFLM's fresh one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases import CASES
from tests.ops.check import runs_with_reset
from tinycc.core.samples import random_inputs
from tinycc.plugins.importers.tflite import load_tflite

FRAMES, RESET_AT = 5, 3
STATEFUL = [("signal_delay", "int16"), ("signal_stacker", "int16"), ("signal_framer", "int16"),
            ("signal_overlap_add", "int16"), ("signal_overlap_add", "float32"),
            ("signal_filter_bank_spectral_subtraction", "uint32")]


def _equal(got, want, what):
    want = np.asarray(want)
    got = np.asarray(got).reshape(want.shape)
    if want.dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


@pytest.mark.parametrize("op,dtype", STATEFUL, ids=[f"{o}-{d}" for o, d in STATEFUL])
@pytest.mark.parametrize("seed", range(3))
def test_state_across_invokes_and_reset(op, dtype, seed):
    rng = np.random.default_rng(seed)
    model = CASES[op](rng, dtype)
    g = load_tflite(Path("t.tflite"), model)
    runs = runs_with_reset(model, g, [random_inputs(g, rng) for _ in range(FRAMES)], RESET_AT)
    for k in range(FRAMES):
        for i, want in enumerate(runs.tflm[k]):
            _equal(runs.ref[k][i], want, f"reference frame {k} output {i}")
            _equal(runs.c[k][i], runs.tflm_reset(k)[i], f"c frame {k} output {i} (reset before frame {RESET_AT})")
    for k, outs in enumerate(runs.ref_reset):
        for i, want in enumerate(runs.tflm_fresh[k]):
            _equal(outs[i], want, f"reference after reset, frame {k} output {i}")


FRAMING = ["signal_stacker", "signal_framer"]


def _framing_model(op, rng):
    from tests.ops.cases import signal_framer, signal_stacker
    from tests.ops.cases._signal_valid import model
    if op == "signal_framer":
        return signal_framer.build(rng, "int16", any_options=True)
    n = int(rng.integers(1, 12))
    return model(op, (n,), signal_stacker.attrs(rng, n))


@pytest.mark.parametrize("op", FRAMING)
@pytest.mark.parametrize("seed", range(4))
def test_framing_state_across_invokes_and_reset(op, seed):
    """SignalStacker / SignalFramer with any context, step and prefill over several invokes: the
    output_valid flags equal TFLM's on every invoke, the frames wherever TFLM defines them (the
    invokes it flags valid; an invalid one leaves TFLM's arena as it was, uninitialised at first),
    and the C (one process, NAME_reset() before RESET_AT) equals the reference on every element."""
    rng = np.random.default_rng(100 + seed)
    model = _framing_model(op, rng)
    g = load_tflite(Path("t.tflite"), model)
    runs = runs_with_reset(model, g, [random_inputs(g, rng) for _ in range(2 * FRAMES)], FRAMES)
    valid_seen = 0
    for k in range(2 * FRAMES):
        want = runs.tflm_reset(k)
        assert bool(runs.ref[k][1]) == bool(runs.tflm[k][1]), f"reference valid flag, frame {k}"
        assert bool(np.asarray(runs.c[k][1]).reshape(())) == bool(want[1]), f"c valid flag, frame {k}"
        _equal(runs.c[k][0], runs.ref_with_reset(k)[0], f"c vs reference frame {k}")
        if bool(runs.tflm[k][1]):
            valid_seen += 1
            _equal(runs.ref[k][0], runs.tflm[k][0], f"reference frame {k}")
        if bool(want[1]):
            _equal(runs.c[k][0], want[0], f"c frame {k}")
    for k, outs in enumerate(runs.ref_reset):
        assert bool(outs[1]) == bool(runs.tflm_fresh[k][1])
        if bool(runs.tflm_fresh[k][1]):
            _equal(outs[0], runs.tflm_fresh[k][0], f"reference after reset, frame {k}")
    assert valid_seen, "no valid output in the sequence: nothing compared"
