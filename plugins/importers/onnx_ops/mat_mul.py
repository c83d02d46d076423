"""MatMul of a 2-D activation by a 2-D constant: FULLY_CONNECTED without bias."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._fully_connected import fully_connected

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    a = ctx.plain(node, node.input[0])
    w = ctx.get_const(node, node.input[1], "MatMul B (weights)")
    if w.ndim != 2:
        raise ctx.fail(node, "MatMul needs a 2-D constant right operand")
    shape = ctx.infer_shape(a)
    if len(shape) != 2:
        raise ctx.fail(node, f"MatMul on a {len(shape)}-D input is not supported", hint="flatten to 2-D first")
    fully_connected(ctx, node, out, name, a, node.input[1], False, None)
