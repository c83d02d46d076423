"""GlobalAveragePool: MEAN over the spatial axes, keeping them (1-D, 2-D, or plain N-D)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._global_pool import global_pool

KEEPS_NCW = True


def convert(ctx, node, out, name):
    global_pool(ctx, node, out, name, "mean")
