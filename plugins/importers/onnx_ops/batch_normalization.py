"""BatchNormalization (inference): folded into the convolution just before it when that
convolution feeds only it, else MUL by scale / sqrt(var + eps) and ADD of the shift."""
from __future__ import annotations

import numpy as np

MIN_INPUTS = 5


def convert(ctx, node, out, name):
    if len(node.output) > 1 or ctx.attr(node, "training_mode", 0):
        raise ctx.fail(node, "BatchNormalization in training mode is not supported",
                       hint="export the model in eval mode")
    scale, bias, mean, var = (ctx.get_const(node, n, "BatchNormalization parameter").astype(np.float64)
                              for n in node.input[1:5])
    eps = float(ctx.attr(node, "epsilon", 1e-5))
    if len({p.shape for p in (scale, bias, mean, var)}) != 1 or scale.ndim != 1:
        raise ctx.fail(node, "scale, bias, mean and variance must be 1-D of one length (the channels), got "
                             f"{[p.shape for p in (scale, bias, mean, var)]}")
    k = scale / np.sqrt(var + eps)
    x = ctx.value(node, node.input[0])
    prod = ctx.nodes[-1] if ctx.nodes and ctx.nodes[-1].outputs == [x] else None
    foldable = (ctx.consumers.get(node.input[0], 0) == 1 and node.input[0] not in ctx.graph_outputs
                and ctx.uses(x) == 0)
    if (prod is not None and prod.op in ("conv_2d", "depthwise_conv_2d") and foldable
            and ctx.tensors[prod.inputs[1]].is_const):
        wt = ctx.tensors[prod.inputs[1]]
        axis = 0 if prod.op == "conv_2d" else 3
        if wt.data.shape[axis] != k.size:
            raise ctx.fail(node, f"{k.size} parameters for {wt.data.shape[axis]} channels")
        shape = [1, 1, 1, 1]
        shape[axis] = -1
        wt.data = (wt.data * k.reshape(shape)).astype(np.float32)
        b = ctx.tensors[prod.inputs[2]].data if len(prod.inputs) > 2 and prod.inputs[2] else 0.0
        newb = ((b - mean) * k + bias).astype(np.float32)
        bname = ctx.core_const(ctx.fresh(name + "/bias"), newb)
        prod.inputs = [prod.inputs[0], prod.inputs[1], bname]
        ctx.alias[out] = x
        return
    if x not in ctx.nchw:
        raise ctx.fail(node, "BatchNormalization is supported after a convolution or on NCHW activations")
    if k.size != ctx.channels(x):
        raise ctx.fail(node, f"{k.size} parameters for {ctx.channels(x)} channels")
    mul = ctx.core_const(ctx.fresh(name + "/scale"), k.reshape(1, 1, 1, -1))
    add = ctx.core_const(ctx.fresh(name + "/shift"), (bias - mean * k).reshape(1, 1, 1, -1))
    y = ctx.emit(name + "/mul", "mul", [x, mul], ctx.fresh(out), nchw=True)
    ctx.emit(name, "add", [y, add], out, nchw=True)
