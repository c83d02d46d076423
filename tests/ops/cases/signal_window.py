"""SignalWindow cases: int16 frames (one or more windows, any rank) times a random int16 window."""
from __future__ import annotations

from tests.ops.cases._signal import plain, random_const
from tests.tflite_builder import act, single_op

DTYPES = ("int16",)


def build(rng, dtype):
    n = int(rng.integers(1, 64))
    frames = int(rng.integers(1, 4))
    shape = (frames, n) if rng.random() < 0.7 else (frames * n,)
    x = plain("x", shape, "int16")
    w = random_const(rng, "w", (n,), "int16")
    return single_op("signal_window", [x, w], act("y", (), "int16"), {"shift": int(rng.integers(0, 32))})
