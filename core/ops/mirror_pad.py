"""MIRROR_PAD, REFLECT (edge not repeated) or SYMMETRIC (edge repeated), constant paddings.
TFLM does not bound the paddings and would read outside the input: here each must be at most
the dimension (SYMMETRIC) or the dimension - 1 (REFLECT), as TensorFlow defines the op."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "mirror_pad"
INPUTS = ("input",)
ATTRS = {"paddings": (), "mode": "reflect"}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)       # input dtype -> output dtype (TFLM's kernel)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
AXIS_ATTRS = {"paddings": "per_axis"}
MODES = {0: "reflect", 1: "symmetric"}                  # MirrorPadMode


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    mode = node.attrs["mode"]
    if mode not in MODES.values():
        raise c.fail(node, f"mode {mode!r} is neither reflect nor symmetric")
    pads = tuple(tuple(int(v) for v in row) for row in node.attrs["paddings"])
    if len(pads) != len(x.shape) or any(len(row) != 2 for row in pads):
        raise c.fail(node, f"paddings {pads} need one (before, after) pair per input dimension {x.shape}")
    offset = 1 if mode == "reflect" else 0
    for axis, (row, d) in enumerate(zip(pads, x.shape)):
        if min(row) < 0 or max(row) > d - offset:
            raise c.fail(node, f"paddings {row} on axis {axis} are outside [0, {d - offset}] for a {mode} pad "
                               f"of dimension {d}", hint="TFLM would read outside the input")
    node.attrs["paddings"] = pads
    return [tuple(d + b + e for d, (b, e) in zip(x.shape, pads))]


def source_index(node, shape) -> list[np.ndarray]:
    """Per axis, the input index of each output position (TFLM's GetInputDimension)."""
    offset = 1 if node.attrs["mode"] == "reflect" else 0
    maps = []
    for d, (before, after) in zip(shape, node.attrs["paddings"]):
        k = np.arange(d + before + after) - before
        k = np.where(k < 0, -k - 1 + offset, k)
        k = np.where(k >= d, 2 * d - 1 - k - offset, k)
        maps.append(k.astype(np.int32))
    return maps


def prepare(node, g):
    return {"dtype": mv.same_dtype_and_quant(node, g, [*node.inputs, *node.outputs], "MIRROR_PAD", DTYPES)}


def run(node, g, inputs, p):
    x = inputs[0]
    return [np.ascontiguousarray(x[np.ix_(*source_index(node, x.shape))])]


def _tflite_read(ctx) -> dict:
    pads = ctx.input(1)
    if pads is None or pads.dtype not in ("int32", "int64") or len(pads.shape) != 2:
        raise ctx.fail("the paddings operand must be a 2-D int32 or int64 tensor")
    mode = int(getattr(ctx.o, "mode", 0)) if ctx.o is not None else 0
    if mode not in MODES:
        raise ctx.fail(f"mode {ctx.enum_name('MirrorPadMode', mode)} is neither REFLECT (0) nor SYMMETRIC (1)")
    return {"paddings": tuple(tuple(int(v) for v in row) for row in ctx.const(1, "MIRROR_PAD paddings")),
            "mode": MODES[mode]}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.mode = {v: k for k, v in MODES.items()}[node.attrs["mode"]]
    return ctx.builtin, opt, [*inputs[:1], ctx.const_int32(node, "paddings", node.attrs["paddings"])]


TFLITE = _tflite.TFLite("MIRROR_PAD", "MirrorPadOptions", operands=1, read=_tflite_read, write=_tflite_write)
