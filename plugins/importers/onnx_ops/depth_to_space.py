"""DepthToSpace (DCR, or CRD through a channel GATHER): DEPTH_TO_SPACE."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._blocks import blocks


def convert(ctx, node, out, name):
    blocks(ctx, node, out, name, "depth_to_space")
