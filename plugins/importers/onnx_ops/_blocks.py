"""Shared by DepthToSpace and SpaceToDepth on NCHW activations: the core ops work on NHWC in
TFLite's order, which is ONNX's DCR order (the default of both; SpaceToDepth has a mode since
opset 28). CRD mode reorders the channels with a GATHER: before
DEPTH_TO_SPACE, after SPACE_TO_DEPTH."""
from __future__ import annotations

import numpy as np


def blocks(ctx, node, out, name, core_op):
    x = ctx.nhwc(node, node.input[0])
    if not ctx.has_attr(node, "blocksize"):
        raise ctx.fail(node, f"{node.op_type} needs its blocksize attribute")
    b = int(ctx.attr(node, "blocksize"))
    mode = ctx.attr(node, "mode", b"DCR")
    mode = mode.decode(errors="replace") if isinstance(mode, bytes) else str(mode)
    if mode not in ("DCR", "CRD"):
        raise ctx.fail(node, f"mode {mode!r} is neither DCR nor CRD")
    ch = ctx.channels(x)
    if b < 1 or (core_op == "depth_to_space" and ch % (b * b)):
        raise ctx.fail(node, f"blocksize {b} must be positive, its square dividing the input's {ch} channels")
    if mode == "DCR":
        return ctx.emit(name, core_op, [x], out, {"block_size": b}, nchw=True)
    if core_op == "depth_to_space":
        # DCR channel (i*b + j) * depth + c is CRD channel c * b*b + i*b + j
        depth, k = ch // (b * b), np.arange(ch)
        positions = (k % depth) * b * b + k // depth
        y = ctx.emit(name + "/crd_to_dcr", "gather", [x, _positions(ctx, name, positions)], ctx.fresh(out + "/dcr"),
                     {"axis": 3, "batch_dims": 0}, nchw=True)
        return ctx.emit(name, core_op, [y], out, {"block_size": b}, nchw=True)
    # SpaceToDepth: CRD channel c * b*b + q is DCR channel q * channels + c (q = i*b + j)
    y = ctx.emit(name + "/dcr", core_op, [x], ctx.fresh(out + "/dcr"), {"block_size": b}, nchw=True)
    k = np.arange(ch * b * b)
    positions = (k % (b * b)) * ch + k // (b * b)
    ctx.emit(name, "gather", [y, _positions(ctx, name, positions)], out, {"axis": 3, "batch_dims": 0}, nchw=True)


def _positions(ctx, name, positions):
    return ctx.core_const(ctx.fresh(name + "/dcr_crd_order"), positions.astype(np.int32))
