"""Shared by the elementwise unary ops: schema and shape rule (output shape = input shape)."""
from __future__ import annotations

INPUTS = ("input",)


def infer(node, g):
    return [g.tensors[node.inputs[0]].shape]
