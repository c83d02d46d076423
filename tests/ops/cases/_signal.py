"""What the signal-library (audio front end) case builders share: plain-integer tensors (no
quantisation) and random data over a dtype's whole range."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const


def plain(name, shape, dtype):
    return act(name, shape, dtype)


def random_const(rng, name, shape, dtype, lo=None, hi=None):
    info = np.iinfo(np.dtype(dtype))
    lo = info.min if lo is None else lo
    hi = info.max if hi is None else hi
    return const(name, rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.dtype(dtype)))
