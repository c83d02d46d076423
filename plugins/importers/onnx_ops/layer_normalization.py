"""LayerNormalization (opset 17): core MEAN, SUB, SQUARED_DIFFERENCE, MEAN, ADD epsilon, RSQRT,
MUL, then MUL scale and ADD bias (constants), as TFLite's converter lowers Keras' layer.

y = (x - mean(x)) * rsqrt(mean((x - mean(x))^2) + epsilon) * scale + bias over the axes from
`axis` to the last. The optional Mean and InvStdDev outputs, when read, are the MEAN and RSQRT
tensors (reduced axes kept as 1). The decomposed form older opsets export is rewritten into this
node first (onnx_layer_norm.py).
"""
from __future__ import annotations

import numpy as np

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    extra = [o if o and (ctx.consumers.get(o) or o in ctx.graph_outputs) else None for o in node.output[1:3]]
    extra += [None] * (2 - len(extra))
    x = ctx.plain(node, node.input[0])
    rank = len(ctx.infer_shape(x))
    axis = int(ctx.attr(node, "axis", -1))
    if not -rank <= axis < rank:
        raise ctx.fail(node, f"axis {axis} is out of range for a {rank}-D input")
    axis %= rank
    eps = float(ctx.attr(node, "epsilon", 1e-5))
    if not (np.isfinite(eps) and 0 < eps < 1):
        raise ctx.fail(node, f"epsilon {eps!r} must be a positive number below 1")
    if ctx.attr(node, "stash_type", 1) != 1:
        raise ctx.fail(node, "LayerNormalization with a stash_type other than float32 is not supported")
    norm_shape = ctx.infer_shape(x)[axis:]
    params = []
    for k, what in ((1, "scale"), (2, "bias")):
        if len(node.input) <= k or not node.input[k]:
            params.append(None)
            continue
        value = np.asarray(ctx.get_const(node, node.input[k], f"LayerNormalization {what}"), dtype=np.float32)
        try:
            value = np.broadcast_to(value, norm_shape)
        except ValueError:
            raise ctx.fail(node, f"{what} of shape {value.shape} does not broadcast to the normalised "
                                 f"shape {norm_shape}") from None
        params.append(value)
    axes = tuple(range(axis, rank))
    keep = {"axes": axes, "keep_dims": True}
    mean = ctx.emit(f"{name}/mean", "mean", [x], extra[0] or ctx.fresh(f"{name}/mean"), keep)
    centred = ctx.emit(f"{name}/centre", "sub", [x, mean], ctx.fresh(f"{name}/centred"))
    square = ctx.emit(f"{name}/square", "squared_difference", [x, mean], ctx.fresh(f"{name}/squared"))
    var = ctx.emit(f"{name}/variance", "mean", [square], ctx.fresh(f"{name}/variance"), keep)
    eps_c = ctx.core_const(ctx.fresh(f"{name}/epsilon"), np.array([eps], dtype=np.float32))
    var_eps = ctx.emit(f"{name}/add_epsilon", "add", [var, eps_c], ctx.fresh(f"{name}/variance_eps"))
    inv = ctx.emit(f"{name}/rsqrt", "rsqrt", [var_eps], extra[1] or ctx.fresh(f"{name}/inv_std"))
    scale, bias = params
    last = scale is None and bias is None
    y = ctx.emit(f"{name}/normalise", "mul", [centred, inv], out if last else ctx.fresh(f"{name}/normalised"))
    if scale is not None:
        s = ctx.core_const(ctx.fresh(f"{name}/scale"), scale)
        y = ctx.emit(f"{name}/scale", "mul", [y, s], out if bias is None else ctx.fresh(f"{name}/scaled"))
    if bias is not None:
        b = ctx.core_const(ctx.fresh(f"{name}/bias"), bias)
        ctx.emit(f"{name}/bias", "add", [y, b], out)
