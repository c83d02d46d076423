"""SignalFilterBank cases: random uint32 spectra and random (valid) channel tables, negative
weights included (TFLM sign-extends them into its uint64 sums)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._signal import plain, random_const
from tests.tflite_builder import act, const, single_op

DTYPES = ("uint32",)


def build(rng, dtype):
    bins = int(rng.integers(4, 300))
    channels = int(rng.integers(1, 48))
    nweights = int(rng.integers(1, 400))
    widths = rng.integers(0, min(bins, nweights, 40) + 1, size=channels + 1)
    freq = np.array([rng.integers(0, bins - w + 1) for w in widths])
    wstart = np.array([rng.integers(0, nweights - w + 1) for w in widths])
    x = plain("x", (bins,), "uint32")
    ins = [x, random_const(rng, "w", (nweights,), "int16"), random_const(rng, "uw", (nweights,), "int16"),
           const("freq", freq.astype(np.int16)), const("wstart", wstart.astype(np.int16)),
           const("widths", widths.astype(np.int16))]
    return single_op("signal_filter_bank", ins, act("y", (), "uint64"), {"num_channels": channels})
