"""SignalIrfft cases: random int16 bins (the whole range: the Q15 stages wrap and round) or float32
bins, one or more rows, for a random supported fft_length (powers of two and radix-3/5 mixes)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("int16", "int32", "float32")
LENGTHS = (4, 8, 16, 32, 64, 128, 256, 512, 6, 10, 12, 24, 30, 40, 48, 60, 90, 120, 480)


def build(rng, dtype):
    n = int(rng.choice(LENGTHS))
    shape = (int(rng.integers(1, 3)), n + 2) if rng.random() < 0.5 else (n + 2,)
    return single_op("signal_irfft", [plain("x", shape, dtype)], act("y", (), dtype), {"fft_length": n})
