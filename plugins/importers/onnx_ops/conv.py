"""Conv, 1-D (NCW) or 2-D (NCHW): CONV_2D for group 1, DEPTHWISE_CONV_2D for one group per input
channel, and any other grouping as one CONV_2D per group between a SLICE of its input channels
and a CONCATENATION. Weights OIHW -> OHWI (depthwise: 1HWO); a 1-D weight OIW is OI1W first and
the 1-D input runs as (N, 1, W, C) (see _spatial)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops import _grouped, _spatial

MIN_INPUTS = 2
KEEPS_NCW = True


def convert(ctx, node, out, name):
    x, dims = _spatial.held(ctx, node, node.input[0])
    w = ctx.get_const(node, node.input[1], "Conv weight")
    if w.ndim != dims + 2:
        raise ctx.fail(node, f"the weight of rank {w.ndim} does not fit a {dims}-D convolution",
                       hint="1-D and 2-D convolutions only")
    if min(w.shape) < 1:
        raise ctx.fail(node, f"the weight of shape {w.shape} is empty")
    group = int(ctx.attr(node, "group", 1))
    cout, cin_g = w.shape[:2]
    cin = ctx.channels(x)
    if group < 1 or cin % group or cout % group or cin // group != cin_g:
        raise ctx.fail(node, f"group {group} does not fit {cin} input channels, {cout} output channels and "
                             f"a weight of {cin_g} channels per group")
    kernel = list(w.shape[2:])
    if ctx.has_attr(node, "kernel_shape") and list(ctx.attr(node, "kernel_shape")) != kernel:
        raise ctx.fail(node, f"kernel_shape {list(ctx.attr(node, 'kernel_shape'))} differs from the weight's "
                             f"{kernel}")
    strides, dil, begin, end = _spatial.window(ctx, node, _spatial.spatial_sizes(ctx, x, dims), kernel, dims)
    attrs = {"strides": _spatial.as_2d(strides, dims, 1), "dilations": _spatial.as_2d(dil, dims, 1),
             "pads": _spatial.pads_2d(begin, end, dims)}

    def as_4d(a):            # OIW -> OI1W
        return a.reshape(a.shape[0], a.shape[1], 1, a.shape[2]) if dims == 1 else a

    bias = None
    if len(node.input) > 2 and node.input[2]:
        b = ctx.get_const(node, node.input[2], "Conv bias")
        if b.shape != (cout,):
            raise ctx.fail(node, f"the bias of shape {b.shape} does not fit {cout} output channels")
        if group == 1 or cin_g == 1:
            bias = ctx.weight(node, node.input[2], "Conv bias", lambda b: b, {0: 0}, node.input[2])
    if group == 1:
        wt = ctx.weight(node, node.input[1], "Conv weight", lambda a: as_4d(a).transpose(0, 2, 3, 1), {0: 0},
                        node.input[1])
        ctx.emit(name, "conv_2d", [x, wt, bias], out, attrs, nchw=True)
    elif cin_g == 1:          # one group per input channel
        wt = ctx.weight(node, node.input[1], "Conv weight", lambda a: as_4d(a).transpose(1, 2, 3, 0), {0: 3},
                        node.input[1])
        ctx.emit(name, "depthwise_conv_2d", [x, wt, bias], out, {**attrs, "depth_multiplier": cout // group},
                 nchw=True)
    else:
        co_g = cout // group      # one CONV_2D per group, its weight OIHW -> OHWI
        weights = [np.ascontiguousarray(as_4d(w)[k * co_g:(k + 1) * co_g].transpose(0, 2, 3, 1)) for k in range(group)]
        _grouped.per_group(ctx, node, out, name, x, "conv_2d", weights, "Conv bias", attrs, name)
