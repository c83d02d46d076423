"""Size: the element count of the input, a constant (tinycc's shapes are static)."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._shapes import onnx_shape


def convert(ctx, node, out, name):
    ctx.const[out] = np.array(int(np.prod(onnx_shape(ctx, node, node.input[0]), dtype=np.int64)), dtype=np.int64)
