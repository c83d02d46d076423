"""MaxPool (1-D or 2-D) -> MAX_POOL_2D (see _pool); the indices output is refused."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._pool import pool

KEEPS_NCW = True


def convert(ctx, node, out, name):
    if len(node.output) > 1 and node.output[1]:
        raise ctx.fail(node, "MaxPool indices output is not supported")
    pool(ctx, node, out, name, "max_pool_2d")
