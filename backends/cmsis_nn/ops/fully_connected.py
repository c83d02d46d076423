"""fully_connected through CMSIS-NN's arm_fully_connected_s8 (int8, per-tensor weights with zero
point 0; per-channel weights take the c kernel)."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import act, bias, block, int8_io, io


def applies(node, g) -> bool:
    w = g.tensors[node.inputs[1]]
    return int8_io(node, g) and not w.quant.per_channel and w.quant.zp == 0


def emit(node, m, p):
    g = m.g
    x, y = io(node, m)
    units, depth = g.tensors[node.inputs[1]].shape
    rows = g.tensors[node.inputs[0]].size // depth
    b = bias(node, m)
    block(m, ["cmsis_nn_context ctx = { NULL, 0 };",
              f"const cmsis_nn_fc_params fp = {{ {-p['input_zp']}, {-p['weights_zp']}, {p['output_zp']}, {act(p)} }};",
              f"const cmsis_nn_per_tensor_quant_params q = {{ {int(p['multiplier'][0])}, {int(p['shift'][0])} }};",
              f"const cmsis_nn_dims in_d = {{ {rows}, 1, 1, {depth} }}, f_d = {{ {depth}, 1, 1, {units} }}, "
              f"b_d = {{ 1, 1, 1, {units} }}, out_d = {{ {rows}, 1, 1, {units} }};",
              "if (arm_fully_connected_s8_get_buffer_size(&f_d) > 0) return 3;",
              f"if (arm_fully_connected_s8(&ctx, &fp, &q, &in_d, {x}, &f_d, {m.ptr(node.inputs[1], const=True)}, "
              f"&b_d, {b}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"])
