"""int8 convolution / depthwise / fully-connected kernels written in TVM's tensor expressions.

The arithmetic is TF Lite Micro's, spelled out in TE so TVM generates it: int32 accumulation of
(x - zp_in) * w with padding equal to zp_in, + bias, then MultiplyByQuantizedMultiplier with
gemmlowp's double rounding (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT) per output
channel, + zp_out, clamp. Wrap-arounds are computed in int64 and narrowed explicitly, so the C
TVM emits has no signed overflow or negative left shift. The per-channel multipliers and shifts
are kernel arguments (tinycc's prepare() constants), so the kernel is bit-exact with the
reference by construction of the same integers.
"""
from __future__ import annotations

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _wrap32(tir, v64):
    """int64 -> int32 two's-complement wrap, without relying on C's conversion rules."""
    two32 = tir.const(1 << 32, "int64")
    return tir.Cast("int32", tir.floormod(v64 + tir.const(1 << 31, "int64"), two32) - tir.const(1 << 31, "int64"))


def mbqm(tir, acc32, mult32, shift32):
    """MultiplyByQuantizedMultiplier(int32 acc, int32 m, int shift), TFLM's double rounding."""
    i64 = lambda v: tir.Cast("int64", v)  # noqa: E731
    left = tir.max(shift32, tir.const(0, "int32"))
    right = tir.max(tir.const(0, "int32") - shift32, tir.const(0, "int32"))
    a = _wrap32(tir, i64(acc32) * tir.shift_left(tir.const(1, "int64"), i64(left)))
    ab = i64(a) * i64(mult32)
    nudge = tir.Select(ab >= tir.const(0, "int64"), tir.const(1 << 30, "int64"), tir.const(1 - (1 << 30), "int64"))
    high = tir.Cast("int32", tir.truncdiv(ab + nudge, tir.const(1 << 31, "int64")))
    high = tir.Select(tir.all(a == tir.const(INT32_MIN, "int32"), mult32 == tir.const(INT32_MIN, "int32")),
                      tir.const(INT32_MAX, "int32"), high)
    mask = tir.Cast("int32", tir.shift_left(tir.const(1, "int64"), i64(right)) - tir.const(1, "int64"))
    remainder = tir.bitwise_and(high, mask)
    threshold = tir.shift_right(mask, tir.const(1, "int32")) + tir.Select(high < tir.const(0, "int32"),
                                                                         tir.const(1, "int32"), tir.const(0, "int32"))
    return tir.shift_right(high, right) + tir.Select(remainder > threshold, tir.const(1, "int32"),
                                                     tir.const(0, "int32"))


def _requant(tir, acc, mult, shift, p):
    v = mbqm(tir, acc, mult, shift) + tir.const(int(p["output_zp"]), "int32")
    v = tir.max(tir.min(v, tir.const(int(p["act_max"]), "int32")), tir.const(int(p["act_min"]), "int32"))
    return tir.Cast("int8", v)


def conv_like(node, g, p):
    """PrimFunc(x, w, bias, mult, shift, y) for an int8 conv_2d / depthwise_conv_2d node."""
    from tvm import te, tirx as tir
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
    y = te.compute((n, oh, ow, co), lambda b, yy, xx, c: _requant(tir, acc[b, yy, xx, c] + bias[c], mult[c], shift[c], p),
                   name="y")
    return te.create_prim_func([x, wt, bias, mult, shift, y])


def fully_connected(node, g, p):
    """PrimFunc(x, w, bias, mult, shift, y) for an int8 fully_connected node (y: rows x units)."""
    from tvm import te, tirx as tir
    w_t = g.tensors[node.inputs[1]]
    units, depth = w_t.shape
    rows = g.tensors[node.inputs[0]].size // depth
    x = te.placeholder((rows, depth), "int8", name="x")
    wt = te.placeholder((units, depth), "int8", name="w")
    bias = te.placeholder((units,), "int32", name="bias")
    mult = te.placeholder((units,), "int32", name="mult")
    shift = te.placeholder((units,), "int32", name="shift")
    k = te.reduce_axis((0, depth), name="k")
    izp, wzp = int(p["input_zp"]), int(p["weights_zp"])
    acc = te.compute((rows, units), lambda r, u: te.sum(
        (tir.Cast("int32", x[r, k]) - izp) * (tir.Cast("int32", wt[u, k]) - wzp), axis=[k]), name="acc")
    per_channel = len(p["multiplier"]) > 1
    y = te.compute((rows, units), lambda r, u: _requant(
        tir, acc[r, u] + bias[u], mult[u if per_channel else 0], shift[u if per_channel else 0], p), name="y")
    return te.create_prim_func([x, wt, bias, mult, shift, y])
