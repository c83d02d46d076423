"""Shape (with start/end): a constant, since tinycc's shapes are static (dynamic dimensions are
pinned to 1 at import), in ONNX's own axis order whatever the layout tinycc holds the tensor in."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._shapes import onnx_shape


def convert(ctx, node, out, name):
    shape = onnx_shape(ctx, node, node.input[0])
    start, end = int(ctx.attr(node, "start", 0)), ctx.attr(node, "end", None)
    picked = shape[start:] if end is None else shape[start:int(end)]     # ONNX clamps as Python slices
    ctx.const[out] = np.array(picked, dtype=np.int64)
