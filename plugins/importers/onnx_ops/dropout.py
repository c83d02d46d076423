"""Dropout in inference: Identity; its mask output and training mode are refused."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops import identity


def convert(ctx, node, out, name):
    if len(node.output) > 1 and node.output[1]:
        raise ctx.fail(node, "Dropout's mask output is not supported", hint="export the model in eval mode")
    if len(node.input) > 2 and node.input[2] and ctx.scalar(node, node.input[2], "training_mode"):
        raise ctx.fail(node, "Dropout in training mode is not supported", hint="export the model in eval mode")
    identity.convert(ctx, node, out, name)
