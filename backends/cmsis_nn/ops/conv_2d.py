"""conv_2d through CMSIS-NN's arm_convolve_wrapper_s8 (int8, batch 1, per-channel weights)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _conv_common
from tinycc.backends.cmsis_nn.ops._common import act, align4, block, io

applies = _conv_common.applies


def scratch_bytes(node, g) -> int:
    w = g.tensors[node.inputs[1]].shape
    return 4 * align4(w[1] * w[2] * w[3])


def emit(node, m, p):
    x, y = io(node, m)
    size = scratch_bytes(node, m.g)
    lines, bias = _conv_common.setup(node, m, p, m.g.tensors[node.inputs[1]].shape[0], size)
    lines += [f"const cmsis_nn_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, {_conv_common.geometry(node)}, "
              f"{act(p)} }};",
              f"if (arm_convolve_wrapper_s8_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
              f"if (arm_convolve_wrapper_s8(&ctx, &cp, &q, &in_d, {x}, &f_d, {m.ptr(node.inputs[1], const=True)}, "
              f"&b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
    block(m, lines)
