"""Unsqueeze (insert size-1 axes): RESHAPE."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._squeeze import squeeze_like


def convert(ctx, node, out, name):
    squeeze_like(ctx, node, out, name, False)
