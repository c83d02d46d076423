"""SignalPCAN cases: random uint32 channels and noise estimates, a random int16 gain table of at
least 125 entries, any snr_shift in [0, 63]."""
from __future__ import annotations

from tests.ops.cases._signal import plain, random_const
from tests.tflite_builder import act, single_op

DTYPES = ("uint32",)


def build(rng, dtype):
    n = int(rng.integers(1, 64))
    x, noise = plain("x", (n,), "uint32"), plain("noise", (n,), "uint32")
    lut = random_const(rng, "lut", (int(rng.integers(125, 140)),), "int16")
    return single_op("signal_pcan", [x, noise, lut], act("y", (), "uint32"), {"snr_shift": int(rng.integers(0, 64))})
