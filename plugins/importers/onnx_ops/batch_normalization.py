"""BatchNormalization (inference) anywhere: folded into the convolution or fully connected layer
just before it when that layer has constant weights and feeds only it; otherwise a 1x1
DEPTHWISE_CONV_2D whose weights are scale / sqrt(var + eps) and whose bias is the shift (one
multiply-add per element, quantised per channel like any depthwise convolution): directly on an
NHWC-held activation, on (N, 1, W, C) for (N, C, W), on (N, 1, 1, C) for (N, C)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops import _spatial

MIN_INPUTS = 5
KEEPS_NCW = True
FOLDS_INTO = {"conv_2d": 0, "depthwise_conv_2d": 3, "fully_connected": 0}   # core op -> weight's channel axis


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
    if np.any(var + eps <= 0) or not np.all(np.isfinite(var)):
        raise ctx.fail(node, "variance + epsilon must be positive and finite")
    k = scale / np.sqrt(var + eps)
    shift = bias - mean * k
    x = ctx.value(node, node.input[0])
    if fold(ctx, node, out, name, x, k, mean, bias):
        return
    shape = ctx.infer_shape(x)
    channels = shape[-1] if x in ctx.nchw else (shape[1] if len(shape) >= 2 else None)
    if channels != k.size:
        raise ctx.fail(node, f"{k.size} parameters for an input of shape {shape}"
                             + ("" if channels is None else f" ({channels} channels)"))
    if x not in ctx.nchw and len(shape) not in (2, 3):
        raise ctx.fail(node, f"BatchNormalization of a {len(shape)}-D input that is not NCHW is not supported")
    w = ctx.core_const(ctx.fresh(name + "/scale"), k.reshape(1, 1, 1, -1))
    b = ctx.core_const(ctx.fresh(name + "/shift"), shift)
    attrs = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0), "depth_multiplier": 1}
    if x in ctx.nchw or len(shape) == 3:             # NHWC-held, or (N, C, W) held as (N, 1, W, C)
        if x not in ctx.nchw:
            x, _ = _spatial.held(ctx, node, node.input[0])
        ctx.emit(name, "depthwise_conv_2d", [x, w, b], out, attrs, nchw=True)
        return
    x4 = ctx.emit(name + "/to_4d", "reshape", [x], ctx.fresh(out + "/4d"), {"shape": (shape[0], 1, 1, shape[1])})
    y = ctx.emit(name + "/scale_shift", "depthwise_conv_2d", [x4, w, b], ctx.fresh(out + "/scaled"), attrs)
    ctx.emit(name, "reshape", [y], out, {"shape": tuple(shape)})


def fold(ctx, node, out, name, x, k, mean, bias) -> bool:
    """Scale the weights and bias of the layer making `x` when it is constant and feeds only us."""
    prod = ctx.nodes[-1] if ctx.nodes and ctx.nodes[-1].outputs == [x] else None
    if prod is None or prod.op not in FOLDS_INTO or not ctx.tensors[prod.inputs[1]].is_const:
        return False
    if ctx.consumers.get(node.input[0], 0) != 1 or node.input[0] in ctx.graph_outputs or ctx.uses(x):
        return False
    if prod.attrs.get("activation", "none") != "none":
        return False
    wt = ctx.tensors[prod.inputs[1]]
    axis = FOLDS_INTO[prod.op]
    if wt.data.shape[axis] != k.size:
        raise ctx.fail(node, f"{k.size} parameters for {wt.data.shape[axis]} channels")
    has_bias = len(prod.inputs) > 2 and prod.inputs[2] is not None
    shared = sum(prod.inputs[1] in n.inputs for n in ctx.nodes) != 1
    if shared or (has_bias and not ctx.tensors[prod.inputs[2]].is_const):
        return False                      # a weight another layer shares, a bias computed at run time
    shape = [1] * wt.data.ndim
    shape[axis] = -1
    wt.data = (wt.data * k.reshape(shape)).astype(np.float32)
    b = ctx.tensors[prod.inputs[2]].data.astype(np.float64) if has_bias else 0.0
    newb = ((b - mean) * k + bias).astype(np.float32)
    bname = ctx.core_const(ctx.fresh(name + "/bias"), newb)
    prod.inputs = [prod.inputs[0], prod.inputs[1], bname]
    ctx.alias[out] = x
    return True
