"""Shared by LSTM, GRU and RNN: an ONNX recurrent operator unrolled over its static sequence length
into core FULLY_CONNECTED / ADD / SUB / MUL / LOGISTIC / TANH / SPLIT / CONCATENATION / RESHAPE nodes.

Why unrolled rather than the core UNIDIRECTIONAL_SEQUENCE_LSTM: tinycc's post-training quantisation
quantises these ordinary operators, while the core LSTM's int8 form (TF Lite Micro's Q3.12 gates,
int16 cell state) has no calibration path; a GRU or a plain RNN has no TF Lite operator at all. The
cost is one set of nodes per time step. Every step reads the same weight tensors, and each step's
tensors are recorded under their role (`ctx.roles`, the graph's `metadata.tied`): calibration gives
a role one range over all steps (core/passes/tie_ranges.py), so the steps' derived constants
(requantisation, folded biases, activation tables) are equal and stored once too.

Per direction: one FULLY_CONNECTED projects every step's input at once (all gates, both biases
where ONNX adds them outside a product), SPLIT hands out the rows of each step, and each step adds
the recurrent FULLY_CONNECTED of the previous hidden state (none at a zero initial state). Gates
keep ONNX's order (LSTM i, o, f, c; GRU z, r, h), so weights are sliced, never reordered.
Inside, everything is time-major (T, B, ...); `layout=1` (batch first) is transposed at the edges.

The supported subset (what torch.onnx.export emits for nn.LSTM / nn.GRU / nn.RNN): default
activations, no clip, no peepholes (or all-zero ones), LSTM without input_forget, the whole
sequence (sequence_lens absent, or a constant equal to the sequence length), directions
forward, reverse and bidirectional. Anything else is refused naming the node and the attribute.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinycc.core.graph import Node

DIRECTIONS = {"forward": ("forward",), "reverse": ("reverse",), "bidirectional": ("forward", "reverse")}


@dataclass
class Cell:
    """One direction's constants and what a step needs to emit its nodes."""
    ctx: Any           # the ONNX importer's builder (plugins/importers/onnx.py)
    node: Any
    base: str           # node and tensor name prefix of this direction
    hidden: int
    batch: int
    consts: dict        # name -> core constant tensor (weights and biases of this direction)

    def emit(self, tag: str, op: str, ins: list, attrs=None) -> str:
        out = self.ctx.fresh(f"{self.base}/{tag}")
        self.ctx.roles[out] = f"{self.base}/{tag}"      # the same role at every step: one calibrated range
        return self.ctx.emit(out, op, ins, out, attrs)

    def fc(self, tag: str, x: str, w: str, b: str | None = None) -> str:
        return self.emit(tag, "fully_connected", [x, self.consts[w], None if b is None else self.consts[b]])

    def split(self, tag: str, x: str, parts: int, axis: int) -> list[str]:
        if parts == 1:
            return [x]
        name = self.ctx.fresh(f"{self.base}/{tag}")
        outs = [self.ctx.act(self.ctx.fresh(f"{name}:{k}")) for k in range(parts)]
        self.ctx.roles.update({out: f"{self.base}/{tag}:{k}" for k, out in enumerate(outs)})
        self.ctx.nodes.append(Node(name, "split", [x], outs, {"axis": axis, "num_splits": parts}))
        return outs


def text_attr(ctx, node, key: str, default: str) -> str:
    value = ctx.attr(node, key, None)
    if value is None:
        return default
    if not isinstance(value, bytes):
        raise ctx.fail(node, f"attribute {key!r} must be a string, got {value!r}")
    return value.decode("utf-8", "replace")


def int_attr(ctx, node, key: str, default: int) -> int:
    value = ctx.attr(node, key, default)
    if not isinstance(value, int):
        raise ctx.fail(node, f"attribute {key!r} must be an integer, got {value!r}")
    return int(value)


def _given(node, k: int) -> bool:
    return len(node.input) > k and bool(node.input[k])


def check_attrs(ctx, node, activations: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
    """(directions, layout) after refusing every attribute outside the supported subset."""
    direction = text_attr(ctx, node, "direction", "forward")
    if direction not in DIRECTIONS:
        raise ctx.fail(node, f"direction {direction!r} is not an ONNX direction",
                       hint="forward, reverse or bidirectional")
    dirs = DIRECTIONS[direction]
    given = ctx.attr(node, "activations", None)
    if given is not None:
        names = [a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a) for a in given]
        if [n.lower() for n in names] != [a.lower() for a in activations] * len(dirs):
            raise ctx.fail(node, f"activations {names} are not supported: tinycc unrolls the default "
                                 f"{list(activations) * len(dirs)} only",
                           hint="export the layer with its default activations")
    for key in ("activation_alpha", "activation_beta"):
        if ctx.has_attr(node, key):
            raise ctx.fail(node, f"attribute {key!r} is not supported (default activations only)")
    if ctx.has_attr(node, "clip"):
        raise ctx.fail(node, f"cell clipping (clip = {ctx.attr(node, 'clip')}) is not supported",
                       hint="export without clip")
    layout = int_attr(ctx, node, "layout", 0)
    if layout not in (0, 1):
        raise ctx.fail(node, f"layout {layout} is not 0 (time first) or 1 (batch first)")
    return dirs, layout


def unroll(ctx, node, name: str, gates: int, activations: tuple[str, ...],
           prepare: Callable, step: Callable, states: int) -> None:
    """Lower `node`. prepare(ctx, node, W, R, Bias, d, H) -> {const name: array} with at least "w_x"
    (gates*H, I) and "b_x"; step(cell, x_t, state tuple) -> the new state tuple (hidden first).
    `states` is 1 (hidden) or 2 (hidden, cell: ONNX inputs 5 and 6, outputs 1 and 2)."""
    dirs, layout = check_attrs(ctx, node, activations)
    name = name or ctx.where(node)
    n_dir = len(dirs)
    x = ctx.plain(node, node.input[0])
    shape = tuple(ctx.infer_shape(x))
    if len(shape) != 3:
        raise ctx.fail(node, f"input X must be 3-D, got shape {shape}")
    steps, batch, depth = (shape[0], shape[1], shape[2]) if layout == 0 else (shape[1], shape[0], shape[2])
    w = np.asarray(ctx.get_const(node, node.input[1], "W (input weights)"), dtype=np.float32)
    r = np.asarray(ctx.get_const(node, node.input[2], "R (recurrent weights)"), dtype=np.float32)
    if r.ndim != 3 or r.shape[0] != n_dir or r.shape[1] % gates or r.shape[1] != gates * r.shape[2]:
        raise ctx.fail(node, f"R has shape {r.shape}, expected ({n_dir}, {gates} x hidden, hidden)")
    hidden = r.shape[2]
    size = int_attr(ctx, node, "hidden_size", hidden)
    if size != hidden:
        raise ctx.fail(node, f"hidden_size {size} differs from R's shape {r.shape}")
    if w.shape != (n_dir, gates * hidden, depth):
        raise ctx.fail(node, f"W has shape {w.shape}, expected {(n_dir, gates * hidden, depth)}")
    bias = np.zeros((n_dir, 2 * gates * hidden), np.float32)
    if _given(node, 3):
        bias = np.asarray(ctx.get_const(node, node.input[3], "B (biases)"), dtype=np.float32)
        if bias.shape != (n_dir, 2 * gates * hidden):
            raise ctx.fail(node, f"B has shape {bias.shape}, expected {(n_dir, 2 * gates * hidden)}")
    if _given(node, 4):
        lens = ctx.int_const(node, node.input[4], "sequence_lens") if ctx.name(node.input[4]) in ctx.const else None
        if lens is None or len(lens) != batch or any(v != steps for v in lens):
            raise ctx.fail(node, f"sequence_lens {lens if lens is not None else '(computed)'} must be a constant "
                                 f"equal to the sequence length {steps} for every batch entry",
                           hint="tinycc unrolls whole sequences: pad the batch, or export without sequence_lens")
    # the input, time-major, as (T*B, I) rows
    if layout == 1 and batch > 1:
        x = ctx.emit(ctx.fresh(f"{name}/time_major"), "transpose", [x], ctx.fresh(f"{name}/time_major"),
                     {"perm": (1, 0, 2)})
    rows = ctx.emit(ctx.fresh(f"{name}/rows"), "reshape", [x], ctx.fresh(f"{name}/rows"),
                    {"shape": (steps * batch, depth)})
    initial = [_initial_state(ctx, node, name, 5 + k, n_dir, batch, hidden, layout) for k in range(states)]
    hs: list[list[str]] = []
    finals: list[tuple] = []
    for d, direction in enumerate(dirs):
        base = f"{name}/{direction}"
        consts = prepare(ctx, node, w[d], r[d], bias[d], d, hidden)
        cell = Cell(ctx, node, base, hidden, batch,
                    {k: ctx.core_const(ctx.fresh(f"{base}/{k}"), v) for k, v in consts.items()})
        proj = cell.fc("x_proj", rows, "w_x", "b_x")
        xs = cell.split("x_steps", proj, steps, 0)
        state = tuple(s[d] for s in initial)
        out: list[str] = [""] * steps
        for t in (range(steps) if direction == "forward" else range(steps - 1, -1, -1)):
            state = step(cell, xs[t], state)
            out[t] = state[0]
        hs.append(out)
        finals.append(state)
    _outputs(ctx, node, name, hs, finals, steps, batch, hidden, layout, states)


def _initial_state(ctx, node, name, k, n_dir, batch, hidden, layout) -> list:
    """Per direction: the (B, H) initial state tensor, or None when it is zero (absent or all zeros)."""
    if not _given(node, k):
        return [None] * n_dir
    want = (n_dir, batch, hidden) if layout == 0 else (batch, n_dir, hidden)
    what = "initial_h" if k == 5 else "initial_c"
    n = ctx.name(node.input[k])
    if n in ctx.const or n in ctx.dq_const:
        arr = np.asarray(ctx.get_const(node, n, what), dtype=np.float32)
        if arr.shape != want:
            raise ctx.fail(node, f"{what} has shape {arr.shape}, expected {want}")
        arr = arr if layout == 0 else arr.transpose(1, 0, 2)
        return [None if not arr[d].any() else ctx.core_const(ctx.fresh(f"{name}/{what}{d}"), arr[d])
                for d in range(n_dir)]
    v = ctx.plain(node, n)
    shape = tuple(ctx.infer_shape(v))
    if shape != want:
        raise ctx.fail(node, f"{what} has shape {shape}, expected {want}")
    if layout == 1 and batch > 1 and n_dir > 1:
        v = ctx.emit(ctx.fresh(f"{name}/{what}_t"), "transpose", [v], ctx.fresh(f"{name}/{what}_t"),
                     {"perm": (1, 0, 2)})
    flat = ctx.emit(ctx.fresh(f"{name}/{what}_rows"), "reshape", [v], ctx.fresh(f"{name}/{what}_rows"),
                    {"shape": (n_dir * batch, hidden)})
    if n_dir == 1:
        return [flat]
    parts = [ctx.act(ctx.fresh(f"{name}/{what}{d}")) for d in range(n_dir)]
    ctx.nodes.append(Node(ctx.fresh(f"{name}/{what}_split"), "split", [flat], parts, {"axis": 0, "num_splits": n_dir}))
    return parts


def _wanted(ctx, node, k: int) -> bool:
    if len(node.output) <= k or not node.output[k]:
        return False
    return ctx.consumers.get(node.output[k], 0) > 0 or node.output[k] in ctx.graph_outputs


TFLM_MAX_CONCAT = 10          # tensorflow/lite/micro/kernels/concatenation.cc: kMaxInputNum


def _assemble(ctx, name, tag, pieces, out, shape_tm, perm, final_shape):
    """Concatenate (B, H) pieces along rows (in groups of at most TFLM_MAX_CONCAT inputs: TF Lite Micro's
    CONCATENATION refuses more), reshape to the time-major shape, transpose if batch first."""
    while len(pieces) > 1:
        pieces = [group[0] if len(group) == 1 else
                  ctx.emit(ctx.fresh(f"{name}/{tag}_concat"), "concatenation", group, ctx.fresh(f"{name}/{tag}_concat"),
                           {"axis": 0})
                  for group in (pieces[i:i + TFLM_MAX_CONCAT] for i in range(0, len(pieces), TFLM_MAX_CONCAT))]
    x = pieces[0]
    if perm is None:
        return ctx.emit(ctx.fresh(f"{name}/{tag}"), "reshape", [x], out, {"shape": final_shape})
    x = ctx.emit(ctx.fresh(f"{name}/{tag}_tm"), "reshape", [x], ctx.fresh(f"{name}/{tag}_tm"), {"shape": shape_tm})
    return ctx.emit(ctx.fresh(f"{name}/{tag}"), "transpose", [x], out, {"perm": perm})


def _outputs(ctx, node, name, hs, finals, steps, batch, hidden, layout, states):
    n_dir = len(hs)
    reorder = layout == 1 and batch > 1
    if _wanted(ctx, node, 0):           # Y: (T, D, B, H), or (B, T, D, H) batch first
        pieces = [hs[d][t] for t in range(steps) for d in range(n_dir)]
        shape = (steps, n_dir, batch, hidden) if layout == 0 else (batch, steps, n_dir, hidden)
        _assemble(ctx, name, "Y", pieces, node.output[0], (steps, n_dir, batch, hidden),
                  (2, 0, 1, 3) if reorder else None, shape)
    for k, tag in ((1, "Y_h"), (2, "Y_c"))[:states]:
        if _wanted(ctx, node, k):       # (D, B, H), or (B, D, H) batch first
            pieces = [f[k - 1] for f in finals]
            shape = (n_dir, batch, hidden) if layout == 0 else (batch, n_dir, hidden)
            _assemble(ctx, name, tag, pieces, node.output[k], (n_dir, batch, hidden),
                      (1, 0, 2) if reorder and n_dir > 1 else None, shape)
