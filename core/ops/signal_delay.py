"""SignalDelay (TFLM signal library, custom operator): each innermost row (a frame of int16 samples)
delayed by delay_length samples across invocations (signal/micro/kernels/delay.cc: a circular buffer
per row holding delay_length zeros after Prepare and Reset; each invoke writes the frame, reads the
oldest frame_size samples and discards them). Equivalently: output = (history ++ frame)[:frame_size],
history = (history ++ frame)[frame_size:], a delay_length line per row.
State: that history, outer x delay_length int16 (`initial_state`: zeros), kept by the reference as
params["state"] and by the c backend in the persistent state buffer (NAME_reset() zeroes it)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal

NAME = "signal_delay"
INPUTS = ("input",)
ATTRS = {"delay_length": 0}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> int16",)
RAW_INTEGERS = True
ORDERED = True                # stateful (kernel state): never folded nor dropped
TFLITE = _signal.codec("SignalDelay", ("delay_length",))
MAX_DELAY = 1 << 16


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, at_least=1)
    return [x.shape]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    delay = _signal.int_attr(node, "delay_length", 0, MAX_DELAY, "a delay line of int16 samples per row")
    frame = int(x.shape[-1])
    return {"delay_length": delay, "frame": frame, "outer": x.size // frame if frame else 0}


def initial_state(node, g, p):
    """TFLM's Prepare / Reset: delay_length zeros in every row's buffer."""
    return np.zeros(p["outer"] * p["delay_length"], dtype=np.int16)


def run(node, g, inputs, p):
    x = inputs[0].reshape(p["outer"], p["frame"])
    d, n = p["delay_length"], p["frame"]
    history = p["state"].reshape(p["outer"], d)
    combined = np.concatenate([history, x], axis=1)
    history[:] = combined[:, n:]
    return [np.ascontiguousarray(combined[:, :n]).reshape(inputs[0].shape)]
