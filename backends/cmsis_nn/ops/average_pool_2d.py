"""average_pool_2d through CMSIS-NN's arm_avgpool_s8 (int8, batch 1)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _pool_common
from tinycc.backends.cmsis_nn.ops._common import block, io, planned_scratch

applies = _pool_common.applies


def scratch_bytes(node, g, kernels: str = "dsp") -> int:
    """arm_avgpool_s8_get_buffer_size: DSP one int32 per channel, MVE none."""
    return 0 if kernels == "mve" else 4 * g.tensors[node.inputs[0]].shape[3]


def emit(node, m, p):
    x, y = io(node, m)
    size = planned_scratch(node, m)
    x_t, y_t = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    block(m, [*_pool_common.setup(node, m, p, size),
              f"if (arm_avgpool_s8_get_buffer_size({y_t.shape[2]}, {x_t.shape[3]}) > {size}) return 3;",
              f"if (arm_avgpool_s8(&ctx, &pp, &in_d, {x}, &f_d, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"])
