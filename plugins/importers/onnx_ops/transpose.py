"""Transpose: TRANSPOSE with the permutation translated to the input's layout."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_common import AXIS_TO_CORE


def convert(ctx, node, out, name):
    x = ctx.value(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    perm = [int(p) for p in ctx.attr(node, "perm", list(range(rank))[::-1])]
    if sorted(perm) != list(range(rank)):
        raise ctx.fail(node, f"perm {perm} is not a permutation of the {rank} input axes")
    if x in ctx.nchw:
        perm = [AXIS_TO_CORE[p] for p in perm]
    ctx.emit(name, "transpose", [x], out, {"perm": tuple(perm)}, dtype=ctx.tensors[x].dtype)
