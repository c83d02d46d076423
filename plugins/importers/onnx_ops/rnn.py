"""RNN (the plain recurrent layer: h' = tanh(X Wi + Wbi + h Ri + Rbi)), unrolled over the sequence
(see _recurrent.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._recurrent import unroll

MIN_INPUTS = 3
ANY_OUTPUT = True           # Y may be absent when only Y_h (Y_c) is asked for
ONNX_NAME = "RNN"
ACTIVATIONS = ("Tanh",)


def _prepare(ctx, node, w, r, b, d, hidden):
    return {"w_x": w, "b_x": b[:hidden] + b[hidden:], "w_h": r}


def _step(cell, x_t, state):
    (h,) = state
    pre = x_t if h is None else cell.emit("pre", "add", [x_t, cell.fc("rec", h, "w_h")])
    return (cell.emit("h", "tanh", [pre]),)


def convert(ctx, node, out, name):
    unroll(ctx, node, name, 1, ACTIVATIONS, _prepare, _step, 1)
