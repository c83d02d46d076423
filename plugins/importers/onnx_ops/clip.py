"""Clip(0, 6) -> RELU6 and Clip(0, inf) -> RELU; any other bounds are refused."""
from __future__ import annotations

import numpy as np

from tinycc.plugins.importers.onnx_ops._elementwise import unary


def convert(ctx, node, out, name):
    lo = ctx.scalar(node, node.input[1], "Clip min") if len(node.input) > 1 and node.input[1] else -np.inf
    hi = ctx.scalar(node, node.input[2], "Clip max") if len(node.input) > 2 and node.input[2] else np.inf
    if lo == 0.0 and hi == 6.0:
        return unary(ctx, node, out, name, "relu6")
    if lo == 0.0 and hi == np.inf:
        return unary(ctx, node, out, name, "relu")
    raise ctx.fail(node, f"Clip({lo}, {hi}) is not supported", hint="only Clip(0, 6) and Clip(0, inf)")
