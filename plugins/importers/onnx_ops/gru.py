"""GRU (ONNX gate order z, r, h), unrolled over the sequence (see _recurrent.py):
z = s(Xz + Hz), r = s(Xr + Hr), n = tanh(Xh + r*(Rh h + Rbh)) with linear_before_reset = 1 (what
torch exports) or tanh(Xh + Rh (r*h) + Rbh) with 0 (ONNX's default); h' = (1 - z)*n + z*h = n + z*(h - n)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._recurrent import int_attr, unroll

MIN_INPUTS = 3
ANY_OUTPUT = True           # Y may be absent when only Y_h (Y_c) is asked for
ONNX_NAME = "GRU"
ACTIVATIONS = ("Sigmoid", "Tanh")


def _prepare(ctx, node, w, r, b, d, hidden):
    lbr = int_attr(ctx, node, "linear_before_reset", 0)
    if lbr not in (0, 1):
        raise ctx.fail(node, f"linear_before_reset {lbr} is not 0 or 1")
    wb, rb = b[:3 * hidden], b[3 * hidden:]
    h2 = 2 * hidden
    if lbr:            # Rbh stays inside r * (...): added per step ("b_h" marks linear_before_reset)
        return {"w_x": w, "b_x": np.concatenate([wb[:h2] + rb[:h2], wb[h2:]]), "w_zrh": r, "b_h": rb[h2:]}
    return {"w_x": w, "b_x": wb + rb, "w_zr": r[:h2], "w_h": r[h2:]}


def _step(cell, x_t, state):
    (h,) = state
    lbr = "b_h" in cell.consts
    xz, xr, xh = cell.split("x", x_t, 3, 1)
    if h is None:
        z = cell.emit("z", "logistic", [xz])
        if lbr and cell.ctx.tensors[cell.consts["b_h"]].data.any():
            r = cell.emit("r", "logistic", [xr])
            xh = cell.emit("n_in", "add", [xh, cell.emit("r_h", "mul", [r, cell.consts["b_h"]])])
        n = cell.emit("n", "tanh", [xh])
        return (cell.emit("h", "sub", [n, cell.emit("z_n", "mul", [z, n])]),)
    if lbr:
        hz, hr, hh = cell.split("rec", cell.fc("rec", h, "w_zrh"), 3, 1)
        if cell.ctx.tensors[cell.consts["b_h"]].data.any():
            hh = cell.emit("rec_h", "add", [hh, cell.consts["b_h"]])
    else:
        hz, hr = cell.split("rec", cell.fc("rec", h, "w_zr"), 2, 1)
    z = cell.emit("z", "logistic", [cell.emit("z_in", "add", [xz, hz])])
    r = cell.emit("r", "logistic", [cell.emit("r_in", "add", [xr, hr])])
    if lbr:
        rh = cell.emit("r_h", "mul", [r, hh])
    else:
        rh = cell.fc("r_h", cell.emit("r_x_h", "mul", [r, h]), "w_h")
    n = cell.emit("n", "tanh", [cell.emit("n_in", "add", [xh, rh])])
    h_n = cell.emit("h_n", "sub", [h, n])
    return (cell.emit("h", "add", [n, cell.emit("z_h_n", "mul", [z, h_n])]),)


def convert(ctx, node, out, name):
    unroll(ctx, node, name, 3, ACTIVATIONS, _prepare, _step, 1)
