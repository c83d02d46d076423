"""What the Relax lowerings share: a fused activation as relu / clip."""
from __future__ import annotations


def activation(relax, x, activation: str):
    if activation == "relu":
        return relax.op.nn.relu(x)
    if activation == "relu6":
        return relax.op.clip(x, 0.0, 6.0)
    if activation == "relu_n1_to_1":
        return relax.op.clip(x, -1.0, 1.0)
    return x
