"""SignalStacker (TFLM signal library, custom operator): stacks the last left_context + 1 +
right_context frames of num_channels int16 samples into one vector, every stacker_step frames
(signal/micro/kernels/stacker.cc on signal/src/circular_buffer.cc).

Per invoke a frame (the 1-D input, num_channels samples) enters a FIFO of
num_channels * (left + right + 1) samples; the very first frame after Prepare/Reset enters
left + 1 times (the left context padded with copies of it). When the FIFO is full, the output is
its whole content and output_valid true, and the oldest num_channels * stacker_step samples leave;
otherwise output_valid is false and TFLM leaves the output tensor as it was: the last valid stack
(zeros before the first), which tinycc keeps as state, since its output buffer may be reused.
stacker_step must lie in [1, left + right + 1] (TFLM's circular buffer asserts it, beyond it the
buffer overruns), num_channels must be the input's size and the output's size the FIFO's.
State: the FIFO and the last stack (int16) and [fill, has_first_frame] (int32), in params["state"]
and the persistent state buffer (`initial_state`: empty, zeros; TFLM's Reset)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_stacker"
INPUTS = ("input",)
KEYS = ("num_channels", "stacker_left_context", "stacker_right_context", "stacker_step")
ATTRS = {k: 0 for k in KEYS} | {"stacker_step": 1}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> int16, bool",)
RAW_INTEGERS = True
ORDERED = True                # stateful (kernel state): never folded nor dropped
TFLITE = _signal.codec("SignalStacker", KEYS)
MAX_SAMPLES = 1 << 20


def _sizes(node):
    n = _signal.int_attr(node, "num_channels", 1, MAX_SAMPLES, "a frame of at least one int16 sample")
    left = _signal.int_attr(node, "stacker_left_context", 0, MAX_SAMPLES)
    right = _signal.int_attr(node, "stacker_right_context", 0, MAX_SAMPLES)
    frames = left + right + 1
    if n * frames > MAX_SAMPLES:
        raise c.fail(node, f"a stack of {n} x {frames} samples exceeds {MAX_SAMPLES}",
                     hint="the stacker's FIFO lives in the persistent state buffer")
    step = _signal.int_attr(node, "stacker_step", 1, frames,
                            "between 1 and left + right + 1 frames (TFLM's circular buffer overruns beyond)")
    return n, left, right, step


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    n, left, right, _ = _sizes(node)
    return [(n * (left + right + 1),), ()]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    n, left, right, step = _sizes(node)
    if x.size != n:
        raise c.fail(node, f"option num_channels {n} is not the input's {x.size} samples",
                     hint="TF Lite Micro reads num_channels samples of the input per invoke")
    y, valid = (g.tensors[o] for o in node.outputs)
    if y.size != n * (left + right + 1) or len(y.shape) != 1 or valid.shape != ():
        raise c.fail(node, f"the outputs {y.shape} and {valid.shape} are not ({n * (left + right + 1)},) and ()",
                     hint="TF Lite Micro writes num_channels * (left + right + 1) samples and a scalar flag")
    return {"channels": n, "left": left, "size": n * (left + right + 1), "step": n * step}


def initial_state(node, g, p):
    """TFLM's Reset: an empty FIFO that has not seen its first frame."""
    return [np.zeros(p["size"], dtype=np.int16), np.zeros(p["size"], dtype=np.int16), np.zeros(2, dtype=np.int32)]


def run(node, g, inputs, p):
    fifo, last, counters = p["state"]
    n, size, step = p["channels"], p["size"], p["step"]
    x = inputs[0].reshape(-1)[:n]
    fill = int(counters[0])
    copies = 1 if counters[1] else p["left"] + 1
    for _ in range(copies):
        fifo[fill:fill + n] = x
        fill += n
    counters[1] = 1
    valid = fill >= size
    if valid:
        last[:] = fifo
        fifo[:size - step] = fifo[step:].copy()
        fill -= step
    counters[0] = fill
    return [last.copy(), np.array(valid, dtype=bool)]
