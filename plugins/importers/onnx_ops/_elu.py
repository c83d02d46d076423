"""Elu and Selu as the core ELU (alpha 1, TFLM's): gamma * (x > 0 ? x : alpha * (exp(x) - 1)) is
a * ELU(x) + b * RELU(x) with a = gamma * alpha, b = gamma * (1 - alpha); the terms that are
identities (a = 1, b = 0) are left out, so Elu(alpha=1) is one ELU."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._compose import Composer


def scaled_elu(ctx, node, out, name, alpha: float, gamma: float):
    a, b = gamma * alpha, gamma * (1.0 - alpha)
    op = Composer(ctx, node, name)
    if a == 1.0 and b == 0.0:
        return op("elu", node.input[0], out=out)
    neg = op("elu", node.input[0])
    if b == 0.0:
        return op("mul", neg, op.const(a, "a"), out=out)
    neg = neg if a == 1.0 else op("mul", neg, op.const(a, "a"))
    pos = op("mul", op("relu", node.input[0]), op.const(b, "b"))
    return op("add", neg, pos, out=out)
