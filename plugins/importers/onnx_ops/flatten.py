"""Flatten to 2-D at `axis`: RESHAPE in ONNX's memory order."""
from __future__ import annotations

import numpy as np


def convert(ctx, node, out, name):
    x = ctx.plain(node, node.input[0])
    shape = ctx.infer_shape(x)
    axis = int(ctx.attr(node, "axis", 1))
    if not -len(shape) <= axis <= len(shape):
        raise ctx.fail(node, f"axis {axis} is out of range for a {len(shape)}-D input")
    axis %= len(shape) + 1
    outer = int(np.prod(shape[:axis])) if axis else 1
    ctx.emit(name, "reshape", [x], out, {"shape": (outer, int(np.prod(shape[axis:])))}, dtype=ctx.tensors[x].dtype)
