"""Pad (constant mode, constant pads and value): PAD with the pairs in the input's layout."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_common import NCHW_TO_NHWC

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    mode = ctx.attr(node, "mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode != "constant":
        raise ctx.fail(node, f"Pad mode {mode!r} is not supported", hint="only constant padding")
    x = ctx.value(node, node.input[0])
    pads = ctx.int_const(node, node.input[1], "Pad pads")
    rank = len(pads) // 2
    if len(pads) != 2 * len(ctx.infer_shape(x)):
        raise ctx.fail(node, f"{len(pads)} pads for a {len(ctx.infer_shape(x))}-D input",
                       hint="pads lists a begin and an end for every axis")
    if len(node.input) > 3 and node.input[3]:
        raise ctx.fail(node, "Pad with an axes input is not supported")
    value = ctx.scalar(node, node.input[2], "Pad value") if len(node.input) > 2 and node.input[2] else 0.0
    pairs = [(pads[k], pads[k + rank]) for k in range(rank)]
    if x in ctx.nchw:
        pairs = [pairs[k] for k in NCHW_TO_NHWC]
    attrs = {"paddings": tuple(pairs)}
    if value != 0.0:
        attrs["value"] = value
    ctx.emit(name, "pad", [x], out, attrs, nchw=x in ctx.nchw)
