"""LSTM (ONNX gate order i, o, f, c; Wb + Rb both added to the input projection), unrolled over the
sequence (see _recurrent.py): c' = f*c + i*tanh(c~), h' = o*tanh(c'). Peepholes only if all zero;
input_forget (coupled gates) is refused."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._recurrent import int_attr, unroll

MIN_INPUTS = 3
ANY_OUTPUT = True           # Y may be absent when only Y_h (Y_c) is asked for
ONNX_NAME = "LSTM"
ACTIVATIONS = ("Sigmoid", "Tanh", "Tanh")


def _prepare(ctx, node, w, r, b, d, hidden):
    if int_attr(ctx, node, "input_forget", 0):
        raise ctx.fail(node, "input_forget = 1 (coupled input and forget gates) is not supported",
                       hint="export a standard LSTM")
    if len(node.input) > 7 and node.input[7]:
        p = np.asarray(ctx.get_const(node, node.input[7], "P (peephole weights)"))
        if p.any():
            raise ctx.fail(node, "peephole weights (input P) are not supported",
                           hint="export an LSTM without peepholes")
    return {"w_x": w, "b_x": b[:4 * hidden] + b[4 * hidden:], "w_h": r}


def _step(cell, x_t, state):
    h, c = state
    g = x_t if h is None else cell.emit("gates", "add", [x_t, cell.fc("rec", h, "w_h")])
    i, o, f, cc = cell.split("gate", g, 4, 1)
    i = cell.emit("i", "logistic", [i])
    o = cell.emit("o", "logistic", [o])
    ic = cell.emit("i_c", "mul", [i, cell.emit("c_in", "tanh", [cc])])
    if c is not None:
        ic = cell.emit("c", "add", [cell.emit("f_c", "mul", [cell.emit("f", "logistic", [f]), c]), ic])
    h = cell.emit("h", "mul", [o, cell.emit("c_tanh", "tanh", [ic])])
    return h, ic


def convert(ctx, node, out, name):
    unroll(ctx, node, name, 4, ACTIVATIONS, _prepare, _step, 2)
