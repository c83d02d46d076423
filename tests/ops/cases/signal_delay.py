"""SignalDelay cases: random int16 rows (1-3 dimensions) and a delay shorter or longer than the frame
(state over consecutive invokes: tests/ops/test_signal_state.py)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("int16",)


def build(rng, dtype):
    shape = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(0, 3)))) + (int(rng.integers(1, 40)),)
    delay = int(rng.integers(0, 2 * shape[-1] + 2))
    return single_op("signal_delay", [plain("x", shape, "int16")], act("y", (), "int16"), {"delay_length": delay})
