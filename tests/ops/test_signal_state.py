"""Kernel state of the signal-library operators (TFLM keeps it in the kernel's persistent buffer; the
reference in params["state"], the c backend in the model's persistent state buffer): consecutive
invokes of one model instance equal TF Lite Micro's through one interpreter, and NAME_reset() (the
C model's) / Interpreter.reset() bring the state back to TFLM's fresh one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases import CASES
from tests.ops.check import tflm_sequence
from tinycc.core.interpreter import Interpreter
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
    from tests.c_build import run_c_steps
    rng = np.random.default_rng(seed)
    model = CASES[op](rng, dtype)
    g = load_tflite(Path("t.tflite"), model)
    frames = [random_inputs(g, rng) for _ in range(FRAMES)]
    expected = tflm_sequence(model, frames)                         # one interpreter: state carried
    fresh = tflm_sequence(model, frames[RESET_AT:])                 # a new one from the reset frame on
    ref = Interpreter(g)
    got_ref = [ref.run(xs) for xs in frames]
    ref.reset()
    got_ref_reset = [ref.run(xs) for xs in frames[RESET_AT:]]
    got_c = run_c_steps(g, frames, reset_at=RESET_AT)               # one C process, NAME_reset() before RESET_AT
    for k in range(FRAMES):
        for i, want in enumerate(expected[k]):
            _equal(got_ref[k][i], want, f"reference frame {k} output {i}")
            c_want = expected[k][i] if k < RESET_AT else fresh[k - RESET_AT][i]
            _equal(got_c[k][i], c_want, f"c frame {k} output {i} (reset before frame {RESET_AT})")
    for k, outs in enumerate(got_ref_reset):
        for i, want in enumerate(fresh[k]):
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
    from tests.c_build import run_c_steps
    rng = np.random.default_rng(100 + seed)
    model = _framing_model(op, rng)
    g = load_tflite(Path("t.tflite"), model)
    frames = [random_inputs(g, rng) for _ in range(2 * FRAMES)]
    reset_at = FRAMES
    expected = tflm_sequence(model, frames)
    fresh = tflm_sequence(model, frames[reset_at:])
    ref = Interpreter(g)
    got_ref = [ref.run(xs) for xs in frames]
    ref.reset()
    got_ref_reset = [ref.run(xs) for xs in frames[reset_at:]]
    got_c = run_c_steps(g, frames, reset_at=reset_at)
    valid_seen = 0
    for k in range(2 * FRAMES):
        want = expected[k] if k < reset_at else fresh[k - reset_at]
        ref_k = got_ref[k] if k < reset_at else got_ref_reset[k - reset_at]
        assert bool(got_ref[k][1]) == bool(expected[k][1]), f"reference valid flag, frame {k}"
        assert bool(np.asarray(got_c[k][1]).reshape(())) == bool(want[1]), f"c valid flag, frame {k}"
        _equal(got_c[k][0], ref_k[0], f"c vs reference frame {k}")
        if bool(expected[k][1]):
            valid_seen += 1
            _equal(got_ref[k][0], expected[k][0], f"reference frame {k}")
        if bool(want[1]):
            _equal(got_c[k][0], want[0], f"c frame {k}")
    for k, outs in enumerate(got_ref_reset):
        assert bool(outs[1]) == bool(fresh[k][1])
        if bool(fresh[k][1]):
            _equal(outs[0], fresh[k][0], f"reference after reset, frame {k}")
    assert valid_seen, "no valid output in the sequence: nothing compared"
