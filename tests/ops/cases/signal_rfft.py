"""SignalRfft cases: random int16 frames (loud, so every stage's rounding shows), one or more per
model, zero-padded to a random supported fft_length (powers of two and radix-3/5 mixes)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("int16", "int32", "float32")
LENGTHS = (4, 8, 16, 32, 64, 128, 256, 512, 6, 10, 12, 24, 30, 40, 48, 60, 90, 120, 480)


def build(rng, dtype):
    n = int(rng.choice(LENGTHS))
    frame = int(rng.integers(1, n + 1))
    shape = (int(rng.integers(1, 3)), frame) if rng.random() < 0.5 else (frame,)
    return single_op("signal_rfft", [plain("x", shape, dtype)], act("y", (), dtype), {"fft_length": n})
