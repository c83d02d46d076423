"""Selu (alpha, gamma; ONNX's defaults): gamma * Elu(alpha) from the core ELU and RELU (see _elu.py)."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._elu import scaled_elu

ALPHA, GAMMA = 1.67326319217681884765625, 1.05070102214813232421875      # ONNX's defaults (float32)


def convert(ctx, node, out, name):
    scaled_elu(ctx, node, out, name, float(ctx.attr(node, "alpha", ALPHA)), float(ctx.attr(node, "gamma", GAMMA)))
