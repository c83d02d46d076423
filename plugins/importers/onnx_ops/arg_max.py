"""ArgMax: ARG_MAX (see _arg_extreme.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._arg_extreme import convert_arg


def convert(ctx, node, out, name):
    convert_arg(ctx, node, out, name, "arg_max")
