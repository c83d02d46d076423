"""Conv (2-D, NCHW input): CONV_2D for group 1, DEPTHWISE_CONV_2D for one group per input
channel; other groupings are refused. Weights OIHW -> OHWI (depthwise: 1HWO)."""
from __future__ import annotations

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    x = ctx.nhwc(node, node.input[0])
    w = ctx.get_const(node, node.input[1], "Conv weight")
    if w.ndim != 4:
        raise ctx.fail(node, f"only 2-D convolutions are supported (weight rank {w.ndim})")
    group = int(ctx.attr(node, "group", 1))
    if group < 1:
        raise ctx.fail(node, f"group {group} must be positive")
    cout, cin_g, kh, kw = w.shape
    if min(w.shape) < 1:
        raise ctx.fail(node, f"the weight of shape {w.shape} is empty")
    strides = ctx.ints(node, "strides", [1, 1], 2, 1)
    dil = ctx.ints(node, "dilations", [1, 1], 2, 1)
    pads = ctx.conv_pads(node, ctx.hw(x), (kh, kw), strides, dil)
    bias = None
    if len(node.input) > 2 and node.input[2]:
        bias = ctx.weight(node, node.input[2], "Conv bias", lambda b: b, {0: 0}, node.input[2])
    attrs = {"strides": strides, "dilations": dil, "pads": pads}
    if group == 1:
        wt = ctx.weight(node, node.input[1], "Conv weight", lambda a: a.transpose(0, 2, 3, 1), {0: 0},
                        node.input[1])
        ctx.emit(name, "conv_2d", [x, wt, bias], out, attrs, nchw=True)
    elif cin_g == 1 and group == ctx.channels(x):
        wt = ctx.weight(node, node.input[1], "Conv weight", lambda a: a.transpose(1, 2, 3, 0), {0: 3},
                        node.input[1])
        ctx.emit(name, "depthwise_conv_2d", [x, wt, bias], out, {**attrs, "depth_multiplier": cout // group},
                 nchw=True)
    else:
        raise ctx.fail(node, f"grouped convolution (group={group}) is not supported",
                       hint="group must be 1 or the number of input channels (depthwise)")
