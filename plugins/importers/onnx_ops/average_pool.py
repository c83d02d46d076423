"""AveragePool (1-D or 2-D) -> AVERAGE_POOL_2D, with a zero PAD in front for count_include_pad=1
(see _pool)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._pool import pool

KEEPS_NCW = True


def convert(ctx, node, out, name):
    pool(ctx, node, out, name, "average_pool_2d")
