"""SignalStacker cases: random int16 frames and contexts. A single invoke of a fresh TFLM interpreter
defines the output only when it is valid, so these draw right_context 0 (the first frame, padded
left, fills the stack); tests/ops/test_signal_state.py runs right contexts and steps over several
invokes."""
from __future__ import annotations

from tests.ops.cases._signal_valid import model

DTYPES = ("int16",)


def attrs(rng, n, right=None):
    left = int(rng.integers(0, 4))
    right = int(rng.integers(0, 4)) if right is None else right
    return {"num_channels": n, "stacker_left_context": left, "stacker_right_context": right,
            "stacker_step": int(rng.integers(1, left + right + 2))}


def build(rng, dtype):
    n = int(rng.integers(1, 24))
    return model("signal_stacker", (n,), attrs(rng, n, right=0))
