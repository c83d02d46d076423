"""Squeeze (the given size-1 axes, or all of them): RESHAPE."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._squeeze import squeeze_like


def convert(ctx, node, out, name):
    squeeze_like(ctx, node, out, name, True)
