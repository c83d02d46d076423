"""InstanceNormalization of a 1-D (NCW) or 2-D (NCHW) activation, composed: MEAN over the spatial
axes, SQUARED_DIFFERENCE and MEAN for the variance, ADD epsilon, RSQRT, SUB and MUL to normalise,
then the per-channel scale and bias as a 1x1 DEPTHWISE_CONV_2D. Float: tinycc's int8 PTQ cannot
quantise the epsilon ADD yet (it says so)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops import _spatial

MIN_INPUTS = 3
KEEPS_NCW = True


def convert(ctx, node, out, name):
    x, _ = _spatial.held(ctx, node, node.input[0])
    channels = ctx.channels(x)
    scale, bias = (np.asarray(ctx.get_const(node, n, "InstanceNormalization parameter"), np.float32)
                   for n in node.input[1:3])
    if scale.shape != (channels,) or bias.shape != (channels,):
        raise ctx.fail(node, f"scale {scale.shape} and bias {bias.shape} must hold one value per channel "
                             f"({channels})")
    eps = float(ctx.attr(node, "epsilon", 1e-5))
    if not np.isfinite(eps) or eps < 0:
        raise ctx.fail(node, f"epsilon {eps} must be finite and non-negative")
    spatial = {"axes": (1, 2), "keep_dims": True}
    mean = ctx.emit(f"{name}/mean", "mean", [x], ctx.fresh(out + "/mean"), spatial, nchw=True)
    sq = ctx.emit(f"{name}/squared", "squared_difference", [x, mean], ctx.fresh(out + "/squared"), nchw=True)
    var = ctx.emit(f"{name}/variance", "mean", [sq], ctx.fresh(out + "/variance"), spatial, nchw=True)
    eps_t = ctx.core_const(ctx.fresh(name + "/epsilon"), np.full((1, 1, 1, 1), eps, np.float32))
    var_eps = ctx.emit(f"{name}/variance_eps", "add", [var, eps_t], ctx.fresh(out + "/variance_eps"), nchw=True)
    inv = ctx.emit(f"{name}/rsqrt", "rsqrt", [var_eps], ctx.fresh(out + "/rsqrt"), nchw=True)
    centred = ctx.emit(f"{name}/centred", "sub", [x, mean], ctx.fresh(out + "/centred"), nchw=True)
    normed = ctx.emit(f"{name}/normalised", "mul", [centred, inv], ctx.fresh(out + "/normalised"), nchw=True)
    w = ctx.core_const(ctx.fresh(name + "/scale"), scale.reshape(1, 1, 1, -1))
    b = ctx.core_const(ctx.fresh(name + "/bias"), bias)
    ctx.emit(name, "depthwise_conv_2d", [normed, w, b], out,
             {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0), "depth_multiplier": 1}, nchw=True)
