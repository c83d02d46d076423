"""SignalFilterBankLog cases: random uint32 channels, correction bits and output scales."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, single_op

DTYPES = ("uint32",)


def build(rng, dtype):
    x = plain("x", (int(rng.integers(1, 64)),), "uint32")
    attrs = {"input_correction_bits": int(rng.integers(0, 32)),
             "output_scale": int(rng.integers(-(1 << 31), 1 << 31)) if rng.random() < 0.3
             else int(rng.integers(1, 1 << 12))}
    return single_op("signal_filter_bank_log", [x], act("y", (), "int16"), attrs)
