"""SignalOverlapAdd (TFLM signal library, custom operator): frames (..., n_frames, frame_size) added
into a running buffer of frame_size samples per outer row, frame_step samples leaving it per frame
(signal/micro/kernels/overlap_add.cc, signal/src/overlap_add.cc): buffer += frame (int16: saturated
to int16 per sample; float32: float32 adds), output the buffer's first frame_step samples, shift the
buffer left by frame_step and zero its tail. Output (..., n_frames * frame_step).
The options are T (int16 or float32, the TFLite tensor type) and frame_step, in [1, frame_size]
(TFLM's memmove of frame_size - frame_step samples is undefined beyond it).
State: the buffers, outer x frame_size of the input's type (`initial_state`: zeros, as TFLM's
Prepare and Reset), in params["state"] for the reference and the persistent state buffer in C."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_overlap_add"
INPUTS = ("input",)
ATTRS = {"frame_step": 1}
DTYPES = ("int16", "float32")
SIGNATURES = ("int16 -> int16", "float32 -> float32")
RAW_INTEGERS = True
ORDERED = True                # stateful (kernel state): never folded nor dropped


TFLITE = _signal.typed_codec("SignalOverlapAdd", "frame_step", DTYPES, "kernel")


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, at_least=2)
    step = _signal.int_attr(node, "frame_step", 1, max(1, int(x.shape[-1])), "at most frame_size (the last dimension)")
    return [(*x.shape[:-2], int(x.shape[-2]) * step)]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    if x.dtype != g.tensors[node.outputs[0]].dtype:
        raise c.fail(node, "the output's type differs from the input's", hint="TF Lite Micro checks both against T")
    size, frames = int(x.shape[-1]), int(x.shape[-2])
    step = _signal.int_attr(node, "frame_step", 1, max(1, size), "at most frame_size (the last dimension)")
    return {"dtype": x.dtype, "frame_size": size, "frame_step": step, "frames": frames,
            "outer": x.size // (size * frames) if size * frames else 0}


def initial_state(node, g, p):
    """TFLM's Prepare / Reset: zero buffers."""
    return np.zeros(p["outer"] * p["frame_size"], dtype=np.dtype(p["dtype"]))


def run(node, g, inputs, p):
    size, step, frames = p["frame_size"], p["frame_step"], p["frames"]
    x = inputs[0].reshape(p["outer"], frames, size)
    buffers = p["state"].reshape(p["outer"], size)
    out = np.zeros((p["outer"], frames, step), dtype=x.dtype)
    for o in range(p["outer"]):
        buf = buffers[o]
        for f in range(frames):
            if p["dtype"] == "int16":
                buf[:] = np.clip(buf.astype(np.int32) + x[o, f], -32768, 32767).astype(np.int16)
            else:
                buf[:] = buf + x[o, f]
            out[o, f] = buf[:step]
            buf[:size - step] = buf[step:].copy()
            buf[size - step:] = 0
    return [out.reshape(g.tensors[node.outputs[0]].shape)]
