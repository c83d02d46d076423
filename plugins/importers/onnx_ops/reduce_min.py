"""ReduceMin: REDUCE_MIN over the axes (see _reduce.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._reduce import convert_reduce


def convert(ctx, node, out, name):
    convert_reduce(ctx, node, out, name, "reduce_min")
