"""DequantizeLinear: of an integer initializer, a quantised constant weights take directly
(`ctx.dq_const`); of an activation, DEQUANTIZE (an integer model input takes its quantisation). An
activation quantised as uint8 is held as int8 (zero point shifted by 128); the scale and zero point
read here must be the ones the tensor was quantised with."""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Quant

MIN_INPUTS = 2


def convert(ctx, node, out, name):
    x = ctx.name(node.input[0])
    scale = np.atleast_1d(ctx.get_const(node, node.input[1], "DequantizeLinear scale")).astype(np.float32)
    zp = (np.atleast_1d(ctx.get_const(node, node.input[2], "zero point")).astype(np.int64)
          if len(node.input) > 2 and node.input[2] else np.zeros(scale.size, dtype=np.int64))
    if zp.size != scale.size:
        raise ctx.fail(node, f"{scale.size} scales but {zp.size} zero points")
    if x in ctx.const:
        q = ctx.const[x]
        axis = int(ctx.attr(node, "axis", 1)) % max(q.ndim, 1)
        if scale.size > 1 and (q.ndim == 0 or q.shape[axis] != scale.size):
            raise ctx.fail(node, f"{scale.size} scales do not match axis {axis} of the {q.shape} tensor")
        ctx.dq_const[out] = (q, scale, zp, axis)
        return
    if scale.size > 1:
        raise ctx.fail(node, "per-channel dequantisation of activations is not supported")
    src = ctx.value(node, x)
    t = ctx.tensors[src]
    if t.quant is None and t.dtype in ("int8", "int16"):          # an integer model input
        t.quant = Quant(scale, zp)
    elif t.quant is not None and not t.is_const:
        raw = ctx.const.get(ctx.name(node.input[2])) if len(node.input) > 2 and node.input[2] else None
        unsigned = raw is None or np.asarray(raw).dtype == np.uint8
        want = zp - 128 if unsigned else zp
        if np.float32(t.quant.scale[0]) != scale[0] or t.quant.zp != int(want[0]):
            raise ctx.fail(node, f"{x!r} is quantised with scale {float(t.quant.scale[0])!r}, zero point "
                                 f"{t.quant.zp} but dequantised with scale {float(scale[0])!r}, zero point "
                                 f"{int(want[0])}{' (uint8 shifted by 128)' if unsigned else ''}",
                           hint="the file is inconsistent; re-quantise the model")
    ctx.emit(name, "dequantize", [src], out, nchw=src in ctx.nchw)
