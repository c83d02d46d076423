"""SpaceToDepth (DCR, or CRD through a channel GATHER after it): SPACE_TO_DEPTH."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._blocks import blocks


def convert(ctx, node, out, name):
    blocks(ctx, node, out, name, "space_to_depth")
