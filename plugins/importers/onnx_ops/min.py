"""Min: MINIMUM over its operands in turn (variadic, broadcast)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._variadic import fold


def convert(ctx, node, out, name):
    fold(ctx, node, out, name, "minimum")
