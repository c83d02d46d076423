"""Elu (alpha, default 1): the core ELU, scaled when alpha is not 1 (see _elu.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._elu import scaled_elu


def convert(ctx, node, out, name):
    scaled_elu(ctx, node, out, name, float(ctx.attr(node, "alpha", 1.0)), 1.0)
