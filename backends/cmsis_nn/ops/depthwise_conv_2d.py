"""depthwise_conv_2d through CMSIS-NN's arm_depthwise_conv_wrapper_s8 (int8, batch 1)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _conv_common
from tinycc.backends.cmsis_nn.ops._common import act, block, io

applies = _conv_common.applies


def scratch_bytes(node, g) -> int:
    x, w = g.tensors[node.inputs[0]].shape, g.tensors[node.inputs[1]].shape
    return 2 * x[3] * w[1] * w[2]


def emit(node, m, p):
    x, y = io(node, m)
    size = scratch_bytes(node, m.g)
    lines, bias = _conv_common.setup(node, m, p, m.g.tensors[node.inputs[1]].shape[3], size)
    lines += [f"const cmsis_nn_dw_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, "
              f"{node.attrs['depth_multiplier']}, {_conv_common.geometry(node)}, {act(p)} }};",
              f"if (arm_depthwise_conv_wrapper_s8_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
              f"if (arm_depthwise_conv_wrapper_s8(&ctx, &cp, &q, &in_d, {x}, &f_d, "
              f"{m.ptr(node.inputs[1], const=True)}, &b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
    block(m, lines)
