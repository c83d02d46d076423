"""softmax through CMSIS-NN's arm_softmax_s8 (int8 in and out, over the last axis)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import block, int8_io, io

applies = int8_io


def emit(node, m, p):
    x, y = io(node, m)
    x_t = m.g.tensors[node.inputs[0]]
    depth = x_t.shape[-1]
    block(m, [f"arm_softmax_s8({x}, {x_t.size // depth}, {depth}, {p['input_multiplier']}, "
              f"{p['input_left_shift']}, {p['diff_min']}, {y});"])
