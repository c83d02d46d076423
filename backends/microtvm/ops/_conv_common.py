"""What conv_2d and depthwise_conv_2d share: the Relax conv2d (NHWC / OHWI; depthwise as a
grouped convolution) and the int8 tensor expression (TF Lite Micro's arithmetic, _fixedpoint)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.microtvm.ops._common import activation
from tinycc.backends.microtvm.ops._fixedpoint import requant


def relax_op(relax, node, g, x, val):
    op, a = node.op, node.attrs
    w = g.tensors[node.inputs[1]].data.astype(np.float32)
    groups = 1
    if op == "depthwise_conv_2d":
        groups = g.tensors[node.inputs[0]].shape[3]
        w = np.ascontiguousarray(w.transpose(3, 1, 2, 0))      # (1,KH,KW,CM) -> OHWI with I = 1
    y = relax.op.nn.conv2d(x, relax.const(w), strides=a["strides"], padding=a["pads"], dilation=a["dilations"],
                           groups=groups, data_layout="NHWC", kernel_layout="OHWI")
    if len(node.inputs) > 2 and node.inputs[2] is not None:
        y = relax.op.add(y, val(node.inputs[2]))
    return activation(relax, y, a["activation"])


def conv_like(node, g, p):
    """PrimFunc(x, w, bias, mult, shift, y) for an int8 conv_2d / depthwise_conv_2d node."""
    from tvm import te
    from tvm import tirx as tir
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    n, h, w, ci = x_t.shape
    _, oh, ow, co = y_t.shape
    depthwise = node.op == "depthwise_conv_2d"
    kh, kw = w_t.shape[1], w_t.shape[2]
    (sh, sw), (dh, dw) = node.attrs["strides"], node.attrs["dilations"]
    top, left, bottom, right = node.attrs["pads"]
    mult_ch = node.attrs.get("depth_multiplier", 1)
    zp = int(p["input_zp"])
    x = te.placeholder((n, h, w, ci), "int8", name="x")
    wt = te.placeholder(tuple(w_t.shape), "int8", name="w")
    bias = te.placeholder((co,), "int32", name="bias")
    mult = te.placeholder((co,), "int32", name="mult")
    shift = te.placeholder((co,), "int32", name="shift")
    hp, wp = h + top + bottom, w + left + right
    xp = te.compute((n, hp, wp, ci), lambda b, yy, xx, c: tir.if_then_else(
        tir.all(yy >= top, yy < top + h, xx >= left, xx < left + w),
        tir.Cast("int32", x[b, yy - top, xx - left, c]) - zp, tir.const(0, "int32")), name="x_shifted")
    rh = te.reduce_axis((0, kh), name="rh")
    rw = te.reduce_axis((0, kw), name="rw")
    if depthwise:
        acc = te.compute((n, oh, ow, co), lambda b, yy, xx, c: te.sum(
            xp[b, yy * sh + rh * dh, xx * sw + rw * dw, tir.floordiv(c, mult_ch)] *
            tir.Cast("int32", wt[0, rh, rw, c]), axis=[rh, rw]), name="acc")
    else:
        rc = te.reduce_axis((0, ci), name="rc")
        acc = te.compute((n, oh, ow, co), lambda b, yy, xx, c: te.sum(
            xp[b, yy * sh + rh * dh, xx * sw + rw * dw, rc] * tir.Cast("int32", wt[c, rh, rw, rc]),
            axis=[rh, rw, rc]), name="acc")
    y = te.compute((n, oh, ow, co),
                   lambda b, yy, xx, c: requant(tir, acc[b, yy, xx, c] + bias[c], mult[c], shift[c], p), name="y")
    return te.create_prim_func([x, wt, bias, mult, shift, y])
