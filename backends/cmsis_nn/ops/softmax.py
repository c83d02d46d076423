"""softmax through CMSIS-NN's arm_softmax_s8 (int8 in and out, over the last axis), for rows shorter
than MAX_DEPTH: arm_softmax_s8 divides by 2^(bits over unit + 23) with `1 << exponent` on an int32,
undefined from exponent 31, which a row of 256 or more elements can reach (each element's Q12.19 exp
is at most 2^19, so only rows of >= 256 can sum to 2^27). Longer rows take tinycc's own kernel,
defined for every row length (see tinycc.core.ops.softmax)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import block, int8_io, io

MAX_DEPTH = 255


def applies(node, g) -> bool:
    return int8_io(node, g) and int(g.tensors[node.inputs[0]].shape[-1]) <= MAX_DEPTH


def emit(node, m, p):
    x, y = io(node, m)
    x_t = m.g.tensors[node.inputs[0]]
    depth = x_t.shape[-1]
    block(m, [f"arm_softmax_s8({x}, {x_t.size // depth}, {depth}, {p['input_multiplier']}, "
              f"{p['input_left_shift']}, {p['diff_min']}, {y});"])
