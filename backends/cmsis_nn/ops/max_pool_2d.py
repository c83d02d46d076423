"""max_pool_2d through CMSIS-NN's arm_max_pool_s8 (int8, batch 1; no scratch)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _pool_common
from tinycc.backends.cmsis_nn.ops._common import block, io

applies = _pool_common.applies


def emit(node, m, p):
    x, y = io(node, m)
    block(m, [*_pool_common.setup(node, m, p, 0),
              f"if (arm_max_pool_s8(&ctx, &pp, &in_d, {x}, &f_d, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"])
