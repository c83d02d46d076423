"""HardSigmoid: max(0, min(1, alpha * x + beta)) as MUL, ADD, RELU, MINIMUM (no core op clamps to
[0, 1]); the float32 steps are ONNX's own, so the result is the reference's to the last bit."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._compose import Composer


def convert(ctx, node, out, name):
    alpha, beta = float(ctx.attr(node, "alpha", 0.2)), float(ctx.attr(node, "beta", 0.5))
    op = Composer(ctx, node, name)
    t = op("add", op("mul", node.input[0], op.const(alpha, "alpha")), op.const(beta, "beta"))
    op("minimum", op("relu", t), op.const(1.0, "one"), out=out)
