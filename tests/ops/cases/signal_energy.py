"""SignalEnergy cases: random int16 spectra; every bin computed (TFLM leaves bins outside
[start_index, end_index) unwritten, so those are not compared: tests/ops/test_signal_ops.py)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("int16",)


def build(rng, dtype):
    bins = int(rng.integers(1, 300))
    x = plain("x", (2 * bins,), "int16")
    return single_op("signal_energy", [x], act("y", (), "uint32"), {"start_index": 0, "end_index": bins})
