"""AveragePool -> AVERAGE_POOL_2D (padding averages the in-bounds elements only)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._pool import pool


def convert(ctx, node, out, name):
    pool(ctx, node, out, name, "average_pool_2d")
