"""MatMul: by a 2-D constant, FULLY_CONNECTED over the last axis (leading dimensions kept,
keep_num_dims); of two activations (ranks 2 to 5), BATCH_MATMUL.

A 2-D constant right operand makes FULLY_CONNECTED; when the MatMul's only reader is an Add of a
constant per-unit vector (what torch.onnx.export writes for nn.Linear on a sequence), that Add
becomes the layer's bias and is absorbed. Two activations make BATCH_MATMUL; a Transpose that only
swaps the last two axes of an operand (k.transpose(-2, -1) in attention) and feeds nothing else is
folded into the adj_x / adj_y flag instead of being run.
"""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._fully_connected import fully_connected

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    a_name, b_name = ctx.name(node.input[0]), ctx.name(node.input[1])
    if a_name in ctx.const or a_name in ctx.dq_const:
        raise ctx.fail(node, "MatMul with a constant left operand is not supported",
                       hint="write the product as activation @ constant (x @ W)")
    if b_name in ctx.const or b_name in ctx.dq_const:
        return _by_constant(ctx, node, out, name)
    return _batch(ctx, node, out, name)


def _by_constant(ctx, node, out, name):
    a = ctx.plain(node, node.input[0])
    w = ctx.get_const(node, node.input[1], "MatMul B (weights)")
    if w.ndim != 2:
        raise ctx.fail(node, f"MatMul by a constant of shape {w.shape} is not supported",
                       hint="the constant right operand must be 2-D (in_features, units)")
    shape = ctx.infer_shape(a)
    if len(shape) < 2 or shape[-1] != w.shape[0]:
        raise ctx.fail(node, f"MatMul of {shape} by {w.shape}: the summed dimensions differ")
    bias, out = _absorbed_bias(ctx, node, out, w.shape[1])
    fully_connected(ctx, node, out, name, a, node.input[1], False, bias, keep_num_dims=len(shape) > 2)


def _absorbed_bias(ctx, node, out, units):
    """(bias name, output) when the only reader of `out` is Add(out, per-unit constant)."""
    if out in ctx.graph_outputs or ctx.consumers.get(out, 0) != 1:
        return None, out
    add = next((n for n in ctx.graph.node if out in n.input), None)
    if add is None or add.op_type != "Add" or len(add.input) != 2 or not add.output or not add.output[0]:
        return None, out
    other = add.input[1] if add.input[0] == out else add.input[0]
    key = ctx.name(other)
    if key == out or key not in ctx.const:
        return None, out
    c = np.asarray(ctx.const[key])
    if c.dtype.kind != "f" or c.size != units or (c.ndim and c.shape[-1] != units):
        return None, out
    bias = ctx.core_const(ctx.fresh(key + "/bias"), c.reshape(-1).astype(np.float32))
    ctx.const[bias] = ctx.tensors[bias].data
    ctx.absorbed.add(add.output[0])
    return bias, add.output[0]


def _swap_last(ctx, x, rank):
    """(source, True) when core tensor `x` is made by a Transpose swapping only its last two axes
    and read by nothing else: the transpose is dropped and the product reads its input."""
    perm = tuple(range(rank - 2)) + (rank - 1, rank - 2)
    producer = next((k for k, n in enumerate(ctx.nodes) if x in n.outputs), None)
    if producer is None:
        return x, False
    p = ctx.nodes[producer]
    if p.op != "transpose" or tuple(p.attrs.get("perm", ())) != perm or ctx.uses(x) != 0 or \
            x in ctx.graph_outputs or ctx.consumers.get(x, 0) != 1 or x in ctx.nchw or x in ctx.alias.values():
        return x, False
    del ctx.nodes[producer]
    if producer < ctx.checked:
        ctx.checked -= 1
    del ctx.tensors[x]
    return p.inputs[0], True


def _batch(ctx, node, out, name):
    a = ctx.plain(node, node.input[0])
    b = ctx.plain(node, node.input[1])
    ra, rb = len(ctx.infer_shape(a)), len(ctx.infer_shape(b))
    if not (2 <= ra <= 5 and 2 <= rb <= 5):
        raise ctx.fail(node, f"MatMul of a {ra}-D by a {rb}-D activation is not supported",
                       hint="both operands of a product of activations must be 2-D to 5-D")
    a, adj_x = _swap_last(ctx, a, ra)
    b, adj_y = _swap_last(ctx, b, rb)
    ctx.emit(name, "batch_matmul", [a, b], out, {"adj_x": adj_x, "adj_y": adj_y})
