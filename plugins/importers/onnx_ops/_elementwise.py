"""Elementwise conversions: unary ops keep their input's layout; binary ops broadcast constants
against an NHWC-held activation, or bring both operands back to NCHW when their layouts differ.
`one_to_one` converts an ONNX operator a core op declares as its ONNX_OP."""
from __future__ import annotations


def unary(ctx, node, out, name, core_op, attrs=None):
    x = ctx.value(node, node.input[0])
    ctx.emit(name, core_op, [x], out, attrs, nchw=x in ctx.nchw)


def binary(ctx, node, out, name, core_op):
    n0, n1 = ctx.name(node.input[0]), ctx.name(node.input[1])
    a_nchw = n0 in ctx.nchw
    b_nchw = n1 in ctx.nchw
    if n0 in ctx.const and n1 in ctx.const:
        raise ctx.fail(node, "both operands are constants", hint="fold constants before export")
    if a_nchw != b_nchw and n0 not in ctx.const and n1 not in ctx.const:
        a, b = ctx.plain(node, n0), ctx.plain(node, n1)
        return ctx.emit(name, core_op, [a, b], out)
    nchw = a_nchw or b_nchw
    a = ctx.binary_operand(node, n0, nchw)
    b = ctx.binary_operand(node, n1, nchw)
    ctx.emit(name, core_op, [a, b], out, nchw=nchw)


def one_to_one(op, ctx, node, out, name):
    """ONNX `node` as the core op module `op` (ONNX_ATTRS: core attr -> (ONNX attr, ONNX default))."""
    if len(op.INPUTS) == 2:
        return binary(ctx, node, out, name, op.NAME)
    attrs = {key: type(default)(ctx.attr(node, onnx_key, default))
             for key, (onnx_key, default) in getattr(op, "ONNX_ATTRS", {}).items()}
    unary(ctx, node, out, name, op.NAME, attrs or None)
