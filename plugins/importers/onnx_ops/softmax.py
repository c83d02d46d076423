"""Softmax over any axis: SOFTMAX with beta 1 (transposed around when the axis is not the innermost
in NHWC; see _along_axis.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._along_axis import along_axis


def convert(ctx, node, out, name):
    along_axis(ctx, node, out, name, "softmax", {"beta": 1.0})
