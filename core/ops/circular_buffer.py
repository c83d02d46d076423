"""CIRCULAR_BUFFER (TF Lite Micro custom operator, kernels/circular_buffer.cc and
circular_buffer_common.cc): the last num_slots int8 frames of a streaming input, for strided
streaming convolutions. Each invoke shifts the buffer by one frame (the oldest leaves) and appends
the input frame ([1, 1, H, D] in, [1, num_slots, H, D] out); a countdown from cycles_max says on
which invokes the buffer is complete for the layer after it.

TFLM's two forms, told apart by the number of outputs:
- with a second output (bool, one element): every invoke runs the whole graph and the flag says
  whether this invoke completed a cycle (valid every cycles_max invokes);
- with one output: an invoke that does not complete a cycle returns kTfLiteAbort and TFLM stops the
  graph there. tinycc runs this form only when it completes every cycle (cycles_max 1): the flag
  form expresses the others.

cycles_max is the flexbuffer option "cycles_max" (TFLM reads the map's first value as an int32).
Absent, 0 or negative, TFLM guesses it in Prepare from the output's shape: 1 for 5, 13 or 25 slots,
2 otherwise, except for [1, N, 2, 96] outputs where the guess depends on how many circular buffers
the process prepared before (a static counter); tinycc refuses that one.

TFLM keeps the history in the output tensor itself (its initial content is whatever the arena held;
its unit tests zero it). tinycc keeps it as kernel state (`initial_state`: zeros, and the countdown
at cycles_max) in the persistent state buffer and copies it to the output on every invoke, so the
output buffer may be planned like any other. The kernel copies bytes: input and output must share
one scale and zero point (TFLM's kernel assumes it without checking)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "circular_buffer"
INPUTS = ("input",)
ATTRS = {"cycles_max": None, "num_slots": 1}     # cycles_max None: the model has no options (TFLM reads 0)
DTYPES = ("int8",)
SIGNATURES = ("int8 -> int8", "int8 -> int8, bool")
SHARES_INPUT_QUANT = True
ORDERED = True                # stateful: never folded nor dropped, keeps its place among effects
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
MAX_BYTES = 1 << 24           # history bytes kept in the persistent state buffer
GUESS_ONE = (5, 13, 25)       # TFLM's Prepare: slot counts whose guessed cycles_max is 1


def _read(ctx) -> dict:
    custom = ctx.custom
    y = ctx.output(0)
    if len(y.shape) != 4:
        raise ctx.fail(f"the output has shape {y.shape}; it must be 4-D [1, num_slots, H, D]",
                       hint="TF Lite Micro reads four dimensions of it")
    attrs = {"num_slots": int(y.shape[1]), "cycles_max": None}
    if not custom:                   # no options (an empty map reads the same): TFLM's cycles_max 0
        return attrs
    extra = sorted(set(custom) - {"cycles_max"})
    if "cycles_max" not in custom or extra:
        raise ctx.fail(f"the custom options have keys {sorted(custom)}; CIRCULAR_BUFFER reads exactly cycles_max",
                       hint="TF Lite Micro reads the map's first value by position, whatever its key")
    v = custom["cycles_max"]
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not INT32_MIN <= int(v) <= INT32_MAX:
        raise ctx.fail(f"option cycles_max {v!r} is not an int32", hint="TF Lite Micro reads it as an int32")
    attrs["cycles_max"] = int(v)
    return attrs


def _write(ctx, node, inputs):
    v = node.attrs.get("cycles_max")
    return ctx.builtin, (None if v is None else {"cycles_max": int(v)}), inputs


TFLITE = _tflite.TFLite("CUSTOM", custom="CIRCULAR_BUFFER", read=_read, write=_write)


def _slots(node) -> int:
    v = node.attrs.get("num_slots")
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= int(v) <= MAX_BYTES:
        raise c.fail(node, f"num_slots {v!r} must be an integer in [1, {MAX_BYTES}]",
                     hint="the output's second dimension: how many frames the buffer keeps")
    return int(v)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) != 4:
        raise c.fail(node, f"input {x.name!r} has shape {x.shape}; it must be 4-D [1, 1, H, D]",
                     hint="TF Lite Micro reads four dimensions of it")
    return [(x.shape[0], _slots(node), x.shape[2], x.shape[3])] + [()] * (len(node.outputs) - 1)


def cycles(node, g) -> int:
    """The cycles_max TFLM runs with: the option when positive, else Prepare's guess from the output shape."""
    v = node.attrs.get("cycles_max")
    if v is not None:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not INT32_MIN <= int(v) <= INT32_MAX:
            raise c.fail(node, f"option cycles_max {v!r} is not an int32", hint="TF Lite Micro reads it as an int32")
        if int(v) > 0:
            return int(v)
    y = g.tensors[node.outputs[0]]
    if y.shape[1] in GUESS_ONE:
        return 1
    if tuple(y.shape[2:]) == (2, 96):
        raise c.fail(node, f"cycles_max is {v if v is not None else 'absent'} and the output is {y.shape}: TF Lite "
                           "Micro then picks 1 or 2 by how many circular buffers the process prepared before",
                     hint="give the option cycles_max (a positive int32) in the custom options")
    return 2


def prepare(node, g):
    x, y = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    mv.same_dtype_and_quant(node, g, [node.inputs[0], node.outputs[0]], "CIRCULAR_BUFFER", DTYPES)
    for t in (x, y):
        if len(t.shape) != 4:
            raise c.fail(node, f"tensor {t.name!r} has shape {t.shape}; it must be 4-D",
                         hint="TF Lite Micro reads four dimensions of the input and the output")
    slots = _slots(node)
    if x.shape[0] != 1 or x.shape[1] != 1 or y.shape != (1, slots, x.shape[2], x.shape[3]):
        raise c.fail(node, f"input {x.shape} and output {y.shape} are not [1, 1, H, D] and [1, {slots}, H, D]",
                     hint="TF Lite Micro shifts one frame of H x D values (one batch) per invoke")
    depth = int(x.shape[2]) * int(x.shape[3])
    if depth < 1 or slots * depth > MAX_BYTES:
        raise c.fail(node, f"a buffer of {slots} frames of {depth} values is outside [1, {MAX_BYTES}] bytes",
                     hint="the history lives in the persistent state buffer")
    flag = len(node.outputs) == 2
    if flag:
        v = g.tensors[node.outputs[1]]
        if v.dtype != "bool" or int(np.prod(v.shape, dtype=np.int64)) != 1:
            raise c.fail(node, f"the valid output {v.name!r} is {v.dtype} {v.shape}; it must be one bool",
                         hint="TF Lite Micro checks its type and element count")
    cycle = cycles(node, g)
    if not flag and cycle != 1:
        raise c.fail(node, f"without its valid output this circular buffer completes a cycle every {cycle} invokes: "
                           "TF Lite Micro aborts the invokes in between (kTfLiteAbort) and skips the rest of the graph",
                     hint="give the operator a second output (bool, one element) saying when the buffer is valid, "
                          "or cycles_max 1")
    return {"slots": slots, "depth": depth, "cycles_max": cycle, "flag": flag}


def initial_state(node, g, p):
    """TFLM's Prepare: the countdown at cycles_max; the history zeros (TFLM's arena content, zeroed in its tests)."""
    return [np.zeros(p["slots"] * p["depth"], dtype=np.int8), np.array([p["cycles_max"]], dtype=np.int32)]


def run(node, g, inputs, p):
    history, countdown = p["state"]
    d = p["depth"]
    history[:-d] = history[d:].copy()
    history[-d:] = inputs[0].reshape(-1)[:d]
    countdown[0] -= 1
    valid = bool(countdown[0] == 0)
    if valid:
        countdown[0] = p["cycles_max"]
    out = [history.copy().reshape(g.tensors[node.outputs[0]].shape)]
    return out + ([np.array(valid, dtype=bool)] if p["flag"] else [])
