"""SignalFramer cases: random int16 rows (1-3 dimensions), frame_size and frame_step. A single invoke
of a fresh TFLM interpreter defines every frame only when each is complete, so these draw prefill
or frame_size <= frame_step; tests/ops/test_signal_state.py runs the other options over several
invokes."""
from __future__ import annotations

from tests.ops.cases._signal_valid import model

DTYPES = ("int16",)


def attrs(rng, any_options=False):
    step = int(rng.integers(1, 9))
    prefill = bool(rng.random() < 0.5)
    if prefill:
        size = int(rng.integers(step, 3 * step + 4))
    elif any_options:
        size = int(rng.integers(1, 3 * step + 4))
    else:
        size = int(rng.integers(1, step + 1))
    return {"frame_size": size, "frame_step": step, "prefill": prefill}


def build(rng, dtype, any_options=False):
    a = attrs(rng, any_options)
    shape = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 3)))) + \
        (a["frame_step"] * int(rng.integers(1, 4)),)
    return model("signal_framer", shape, a)
