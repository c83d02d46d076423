"""SignalFilterBankSquareRoot cases: random uint64 channels (whole range) and a constant scale
shift in [0, 31] (TFLM's shift is undefined outside)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._signal import plain
from tests.tflite_builder import act, const, single_op

DTYPES = ("uint64",)


def build(rng, dtype):
    x = plain("x", (int(rng.integers(1, 64)),), "uint64")
    s = const("scale_bits", np.int32(rng.integers(0, 32)))
    return single_op("signal_filter_bank_square_root", [x, s], act("y", (), "uint32"))
