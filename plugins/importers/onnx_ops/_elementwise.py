"""Elementwise conversions: unary ops keep their input's layout; ops of several operands broadcast
constants against an NHWC-held activation, or bring every operand back to NCHW when their layouts
differ (or when the result is bool: comparisons and logic work in ONNX's own order, as the core
moves no bool tensors). `one_to_one` converts an ONNX operator a core op declares as its ONNX_OP;
its output dtype is the one the op's SIGNATURES give for its inputs' dtypes."""
from __future__ import annotations


def unary(ctx, node, out, name, core_op, attrs=None, x=None):
    x = ctx.value(node, node.input[0]) if x is None else x
    return ctx.emit(name, core_op, [x], out, attrs, nchw=x in ctx.nchw)


def operands(ctx, node, names, plain=False) -> tuple[list[str], bool]:
    """The core tensors for ONNX operands `names` broadcast against each other, and whether they
    (and so the result) are held NHWC. `plain` keeps ONNX's order for every operand."""
    names = [ctx.name(n) for n in names]
    consts = [n in ctx.const for n in names]
    if all(consts):
        raise ctx.fail(node, "every operand is a constant", hint="fold constants before export")
    layouts = {n in ctx.nchw for n, c in zip(names, consts) if not c}
    if plain or len(layouts) > 1:
        return [ctx.value(node, n) if c else ctx.plain(node, n) for n, c in zip(names, consts)], False
    nchw = layouts.pop()
    return [ctx.binary_operand(node, n, nchw) for n in names], nchw


def dtype_of(ctx, node, n: str) -> str:
    """The core dtype ONNX operand `n` has (or will have, for a constant not yet materialised)."""
    n = ctx.name(n)
    if n in ctx.const:
        return {"f": "float32", "b": "bool"}.get(ctx.const[n].dtype.kind, "int32")
    return ctx.tensors[ctx.value(node, n)].dtype


def output_dtype(op, dtypes: list[str]) -> str:
    """The output dtype the core op's SIGNATURES give for these input dtypes (else the first
    input's: validation then refuses the combination, naming it)."""
    have = ", ".join(dtypes)
    for signature in op.SIGNATURES:
        given, _, made = signature.partition(" -> ")
        if given == have:
            return made
    return dtypes[0]


def nary(ctx, node, out, name, op, names=None):
    """`op` (a core op module) over broadcast operands (ONNX names, default the node's inputs)."""
    names = list(node.input if names is None else names)
    dtypes = [dtype_of(ctx, node, n) for n in names]
    made = output_dtype(op, dtypes)
    ins, nchw = operands(ctx, node, names, plain="bool" in (*dtypes, made))
    return ctx.emit(name, op.NAME, ins, out, nchw=nchw, dtype=made)


def binary(ctx, node, out, name, core_op, names=None):
    """The core op named `core_op` over two broadcast operands (default: the node's first two)."""
    from tinycc.core import ops
    return nary(ctx, node, out, name, ops.require(core_op), list(node.input[:2] if names is None else names))


def one_to_one(op, ctx, node, out, name):
    """ONNX `node` as the core op module `op` (ONNX_ATTRS: core attr -> (ONNX attr, ONNX default))."""
    if len(op.INPUTS) >= 2:
        return nary(ctx, node, out, name, op, node.input[:len(op.INPUTS)])
    attrs = {key: type(default)(ctx.attr(node, onnx_key, default))
             for key, (onnx_key, default) in getattr(op, "ONNX_ATTRS", {}).items()}
    x = ctx.value(node, node.input[0])
    made = output_dtype(op, [ctx.tensors[x].dtype])
    ctx.emit(name, op.NAME, [x], out, attrs or None, nchw=x in ctx.nchw, dtype=made)
