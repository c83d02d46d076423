"""SignalWindow (TFLM signal library, custom operator): multiplies each frame of int16 samples by
an int16 window and shifts right by `shift`, saturating to int16 (signal/src/window.cc):
y[i] = clamp((x[i] * w[i mod n]) >> shift). The input (any rank) is a whole number of windows of
n = len(weights) samples. TFLM shifts an int32 product: `shift` must be in [0, 31]."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_window"
INPUTS = ("input", "weights")
ATTRS = {"shift": 0}
DTYPES = ("int16",)
SIGNATURES = ("int16, int16 -> int16",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalWindow", ("shift",))


def infer(node, g):
    x, w = (g.tensors[n] for n in node.inputs)
    _signal.rank(node, x, at_least=1)
    _signal.rank(node, w, want=1)
    if x.size % w.size:
        raise c.fail(node, f"the input's {x.size} samples are not a whole number of {w.size}-sample windows",
                     hint="TF Lite Micro would read past the end of the input")
    return [x.shape]


def prepare(node, g):
    return {"shift": _signal.int_attr(node, "shift", 0, 31, "TF Lite Micro shifts an int32 product")}


def run(node, g, inputs, p):
    x, w = inputs
    frames = x.reshape(-1, w.size).astype(np.int32) * w.astype(np.int32)
    return [np.clip(frames >> p["shift"], -32768, 32767).astype(np.int16).reshape(x.shape)]
