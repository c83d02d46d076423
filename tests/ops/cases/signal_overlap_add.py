"""SignalOverlapAdd cases: random int16 (whole range: the sums saturate) or float32 frames
(..., n_frames, frame_size) and a frame_step in [1, frame_size] (state over consecutive invokes:
tests/ops/test_signal_state.py)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("int16", "float32")


def build(rng, dtype):
    size = int(rng.integers(1, 33))
    shape = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 2)))) + (int(rng.integers(1, 5)), size)
    step = int(rng.integers(1, size + 1))
    return single_op("signal_overlap_add", [plain("x", shape, dtype)], act("y", (), dtype), {"frame_step": step})
