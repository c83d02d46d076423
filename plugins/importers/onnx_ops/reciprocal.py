"""Reciprocal: DIV of the constant 1 by the input (float32 1 / x, as ONNX's reference)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._compose import Composer


def convert(ctx, node, out, name):
    op = Composer(ctx, node, name)
    op("div", op.const(1.0, "one"), node.input[0], out=out)
