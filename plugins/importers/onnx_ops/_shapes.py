"""Shared by the shape conversions (Shape, Size, Gather, Slice, Expand, Split, Tile ...): a
tensor's ONNX shape, constant-only operands, several-output nodes, an `axis` attribute and its layout."""
from __future__ import annotations

from tinycc.core.graph import Node
from tinycc.plugins.importers.onnx_common import AXIS_TO_CORE, NHWC_TO_NCHW


def onnx_shape(ctx, node, n: str) -> tuple[int, ...]:
    """The ONNX (NCHW) shape of input `n`: a constant's, else its core tensor's in ONNX order."""
    n = ctx.name(n)
    if n in ctx.const:
        return tuple(int(d) for d in ctx.const[n].shape)
    if n in ctx.dq_const:
        return tuple(int(d) for d in ctx.dq_const[n][0].shape)
    x = ctx.value(node, n)
    shape = tuple(int(d) for d in ctx.infer_shape(x))
    return tuple(shape[k] for k in NHWC_TO_NCHW) if x in ctx.nchw else shape


def needs_constant(ctx, node, what: str):
    """The refusal of an operand tinycc can only take as a constant."""
    return ctx.fail(node, f"{what} must be a constant (known at import time)",
                    hint="export with static shapes and constant folding (do_constant_folding=True)")


def onnx_axis(ctx, node, rank: int, default: int = 0) -> int:
    """The node's `axis` attribute (`default` if absent) for a `rank`-D input, in [0, rank): a
    negative one counts from the end; one outside [-rank, rank) is refused."""
    axis = int(ctx.attr(node, "axis", default))
    if not -rank <= axis < rank:
        raise ctx.fail(node, f"axis {axis} is out of range for a {rank}-D input")
    return axis % rank


def to_core_axis(ctx, x: str, axis: int) -> int:
    """ONNX axis (already in range) -> the axis of core tensor `x` (NHWC if it holds NCHW)."""
    return AXIS_TO_CORE[axis] if x in ctx.nchw else axis


def emit_many(ctx, name: str, op: str, x: str, outs: list[str], attrs: dict, nchw: bool) -> None:
    """One core node of several outputs (SPLIT, SPLIT_V): NCHW-held outputs that are model outputs
    get an internal name, as `emit` does for one."""
    core = []
    for out in outs:
        if nchw and out in ctx.graph_outputs:
            ctx.alias[out] = internal = ctx.fresh(out + "/nhwc")
            out = internal
        core.append(ctx.act(out, nchw))
    ctx.nodes.append(Node(name, op, [x], core, attrs))
