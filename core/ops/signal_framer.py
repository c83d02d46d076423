"""SignalFramer (TFLM signal library, custom operator): cuts each innermost row of int16 samples
into overlapping frames of frame_size samples, frame_step apart, carrying the samples still
needed across invocations (signal/micro/kernels/framer.cc on signal/src/circular_buffer.cc).

Input (..., n_frames * frame_step), output (..., n_frames, frame_size) and output_valid (bool
scalar). Each outer row has a FIFO of ceil(frame_size / frame_step) * frame_step samples, holding
frame_size - frame_step zeros after Prepare/Reset when prefill, else empty. Per frame, frame_step
samples enter it; when it holds frame_size samples, they are the frame and the oldest frame_step
leave; otherwise output_valid is false and TFLM leaves that frame of the output tensor as it was:
the last frame written there (zeros before any), which tinycc keeps as state since its output
buffer may be reused. frame_step must divide the row (TFLM checks it); prefill needs
frame_size >= frame_step (TFLM's prefill count is negative, a huge size_t, otherwise).
State: the FIFOs and the last output (int16) and the FIFOs' common fill (int32), in
params["state"] and the persistent state buffer (`initial_state`: TFLM's Reset)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_framer"
INPUTS = ("input",)
KEYS = ("frame_size", "frame_step", "prefill")
ATTRS = {"frame_size": 1, "frame_step": 1, "prefill": False}
DTYPES = ("int16",)
SIGNATURES = ("int16 -> int16, bool",)
RAW_INTEGERS = True
ORDERED = True                # stateful (kernel state): never folded nor dropped
TFLITE = _signal.codec("SignalFramer", KEYS, bools=("prefill",))
MAX_SAMPLES = 1 << 20


def _options(node, x):
    _signal.rank(node, x, at_least=1)
    size = _signal.int_attr(node, "frame_size", 1, MAX_SAMPLES, "a frame of at least one sample")
    step = _signal.int_attr(node, "frame_step", 1, MAX_SAMPLES, "at least one sample per frame")
    row = int(x.shape[-1])
    if row < step or row % step:
        raise c.fail(node, f"rows of {row} samples are not a positive multiple of frame_step {step}",
                     hint="TF Lite Micro checks the innermost dimension against frame_step")
    prefill = node.attrs.get("prefill")
    if not isinstance(prefill, (bool, np.bool_)):
        raise c.fail(node, f"option prefill {prefill!r} must be a boolean")
    if prefill and size < step:
        raise c.fail(node, f"prefill with frame_size {size} below frame_step {step}",
                     hint="TF Lite Micro would prefill frame_size - frame_step (negative) zeros")
    return size, step, row // step, bool(prefill)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    size, _, frames, _ = _options(node, x)
    return [(*x.shape[:-1], frames, size), ()]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    size, step, frames, prefill = _options(node, x)
    y, valid = (g.tensors[o] for o in node.outputs)
    want = (*x.shape[:-1], frames, size)
    if tuple(y.shape) != want or valid.shape != ():
        raise c.fail(node, f"the outputs {y.shape} and {valid.shape} are not {want} and ()",
                     hint="TF Lite Micro writes n_frames frames of frame_size samples per row and a scalar flag")
    outer = x.size // int(x.shape[-1])
    return {"frame_size": size, "frame_step": step, "frames": frames, "outer": outer, "prefill": prefill,
            "capacity": -(-size // step) * step}


def initial_state(node, g, p):
    """TFLM's Reset: zero FIFOs holding frame_size - frame_step samples when prefill; zero output."""
    fill = p["frame_size"] - p["frame_step"] if p["prefill"] else 0
    return [np.zeros(p["outer"] * p["capacity"], dtype=np.int16),
            np.zeros(p["outer"] * p["frames"] * p["frame_size"], dtype=np.int16), np.array([fill], dtype=np.int32)]


def run(node, g, inputs, p):
    fifo, last, counters = p["state"]
    size, step, frames, outer, cap = p["frame_size"], p["frame_step"], p["frames"], p["outer"], p["capacity"]
    x = inputs[0].reshape(outer, frames, step)
    fifos, outs = fifo.reshape(outer, cap), last.reshape(outer, frames, size)
    valid, start = True, int(counters[0])
    for o in range(outer):
        fill = start
        for f in range(frames):
            fifos[o, fill:fill + step] = x[o, f]
            fill += step
            if fill >= size:
                outs[o, f] = fifos[o, :size]
                fifos[o, :fill - step] = fifos[o, step:fill].copy()
                fill -= step
            else:
                valid = False
        counters[0] = fill
    return [last.copy().reshape(g.tensors[node.outputs[0]].shape), np.array(valid, dtype=bool)]
