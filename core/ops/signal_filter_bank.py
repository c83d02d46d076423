"""SignalFilterBank (TFLM signal library, custom operator): mel filter-bank channels of a uint32
power spectrum as uint64 sums (signal/src/filter_bank.cc). Channel i (of num_channels + 1, the
first being scratch TFLM discards) sums, over its channel_widths[i] bins from
channel_frequency_starts[i], weight * input and (into the next channel) unweight * input, with the
int16 weights taken from channel_weight_starts[i]. uint64 arithmetic, wrapping (a negative weight
is sign-extended to uint64, as C converts it). The five int16 tables must be constants: tinycc
checks every index they hold against the input and weight sizes (TFLM does not)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_filter_bank"
INPUTS = ("input", "weights", "unweights", "channel_frequency_starts", "channel_weight_starts",
          "channel_widths")
ATTRS = {"num_channels": 0}
DTYPES = ("uint32",)
SIGNATURES = ("uint32, int16, int16, int16, int16, int16 -> uint64",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalFilterBank", ("num_channels",))
MAX_CHANNELS = 1 << 15


def infer(node, g):
    for name in node.inputs:
        _signal.rank(node, g.tensors[name], want=1)
    n = _signal.int_attr(node, "num_channels", 1, MAX_CHANNELS)
    return [(n,)]


def prepare(node, g):
    n = _signal.int_attr(node, "num_channels", 1, MAX_CHANNELS)
    x, w, uw = (g.tensors[name] for name in node.inputs[:3])
    if w.size != uw.size:
        raise c.fail(node, f"weights ({w.size}) and unweights ({uw.size}) differ in length")
    tables = {}
    for k, what in ((3, "channel_frequency_starts"), (4, "channel_weight_starts"), (5, "channel_widths")):
        data = _signal.const(node, g, k, what).astype(np.int64)
        if data.size < n + 1:
            raise c.fail(node, f"{what} has {data.size} entries, num_channels {n} needs {n + 1}")
        tables[what] = data[:n + 1]
    _signal.const(node, g, 1, "weights")
    _signal.const(node, g, 2, "unweights")
    widths = np.maximum(tables["channel_widths"], 0)
    for i in range(n + 1):
        f0, w0, width = int(tables["channel_frequency_starts"][i]), int(tables["channel_weight_starts"][i]), \
            int(widths[i])
        if width and (f0 < 0 or f0 + width > x.size):
            raise c.fail(node, f"channel {i} reads bins {f0}..{f0 + width - 1} of an input of {x.size}",
                         hint="TF Lite Micro would read outside the spectrum")
        if width and (w0 < 0 or w0 + width > w.size):
            raise c.fail(node, f"channel {i} reads weights {w0}..{w0 + width - 1} of {w.size}",
                         hint="TF Lite Micro would read outside the weights")
    return {"num_channels": n, "freq_starts": tables["channel_frequency_starts"],
            "weight_starts": tables["channel_weight_starts"], "widths": widths}


def run(node, g, inputs, p):
    x = inputs[0].astype(np.uint64)
    w = inputs[1].astype(np.int64).astype(np.uint64)        # sign-extended, as C converts int16 to uint64
    uw = inputs[2].astype(np.int64).astype(np.uint64)
    out = np.zeros(p["num_channels"] + 1, dtype=np.uint64)
    carry = np.uint64(0)
    with np.errstate(over="ignore"):
        for i in range(p["num_channels"] + 1):
            f0, w0, width = int(p["freq_starts"][i]), int(p["weight_starts"][i]), int(p["widths"][i])
            bins = x[f0:f0 + width]
            out[i] = carry + np.sum(w[w0:w0 + width] * bins, dtype=np.uint64)
            carry = np.sum(uw[w0:w0 + width] * bins, dtype=np.uint64)
    return [out[1:]]
