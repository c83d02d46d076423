"""SignalEnergy (TFLM signal library, custom operator): the energy re^2 + im^2 of each complex bin
of an int16 spectrum (re, im interleaved), as uint32 (signal/src/energy.cc), for the bins in
[start_index, end_index). TFLM leaves the other output elements unwritten (whatever the arena
held); tinycc writes 0 there. The int32 sum of two squares wraps for (-32768, -32768) to 2^31,
which the uint32 output holds exactly."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_energy"
INPUTS = ("input",)
ATTRS = {"end_index": 0, "start_index": 0}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> uint32",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalEnergy", ("end_index", "start_index"))


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    if x.size % 2:
        raise c.fail(node, f"the spectrum {x.name!r} has {x.size} values, not (re, im) pairs")
    return [(x.size // 2,)]


def prepare(node, g):
    bins = g.tensors[node.inputs[0]].size // 2
    start = _signal.int_attr(node, "start_index", 0, bins, f"the spectrum has {bins} bins")
    end = _signal.int_attr(node, "end_index", start, bins, f"from start_index {start} to the {bins} bins")
    return {"start": start, "end": end}


def run(node, g, inputs, p):
    x = inputs[0].astype(np.int64).reshape(-1, 2)
    y = np.zeros(x.shape[0], dtype=np.uint32)
    s, e = p["start"], p["end"]
    y[s:e] = ((x[s:e, 0] ** 2 + x[s:e, 1] ** 2) & 0xFFFFFFFF).astype(np.uint32)
    return [y]
