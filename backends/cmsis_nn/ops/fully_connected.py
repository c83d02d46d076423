"""fully_connected through CMSIS-NN's arm_fully_connected_s8 (int8, constant per-tensor weights with
zero point 0; per-channel or non-constant weights take the c kernel), or arm_fully_connected_s4 for int4
weights (packed: _common.weights; it needs no buffer).

CMSIS-NN's MVE build reads each unit's weight sum from the context's buffer (what TFLM's cmsis_nn
kernel computes with arm_vector_sum_s8 at Prepare): the sums are computed here and emitted as a
constant under `#if defined(ARM_MATH_MVEI)` (flash on Helium builds only); the DSP build needs none.
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.cmsis_nn.ops._common import act, bias, block, int8_io, io, s4, weights


def applies(node, g) -> bool:
    w = g.tensors[node.inputs[1]]
    return int8_io(node, g) and not w.quant.per_channel and w.quant.zp == 0 and w.data is not None


def emit(node, m, p):
    g = m.g
    x, y = io(node, m)
    units, depth = g.tensors[node.inputs[1]].shape
    rows = g.tensors[node.inputs[0]].size // depth
    b = bias(node, m)
    params = [f"const cmsis_nn_fc_params fp = {{ {-p['input_zp']}, {-p['weights_zp']}, {p['output_zp']}, {act(p)} }};",
              f"const cmsis_nn_per_tensor_quant_params q = {{ {int(p['multiplier'][0])}, {int(p['shift'][0])} }};",
              f"const cmsis_nn_dims in_d = {{ {rows}, 1, 1, {depth} }}, f_d = {{ {depth}, 1, 1, {units} }}, "
              f"b_d = {{ 1, 1, 1, {units} }}, out_d = {{ {rows}, 1, 1, {units} }};"]
    if s4(node, g):
        block(m, ["cmsis_nn_context ctx = { NULL, 0 };", *params,
                  f"if (arm_fully_connected_s4(&ctx, &fp, &q, &in_d, {x}, &f_d, {weights(node, m)}, &b_d, {b}, "
                  f"&out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"])
        return
    sums = np.asarray(g.tensors[node.inputs[1]].data, dtype=np.int64).reshape(units, depth).sum(axis=1)
    m.uses_cmsis_nn = True
    m.emit("{")
    m.emit("#if defined(ARM_MATH_MVEI)")
    m.emit(f"static const int32_t sums[{units}] = {{ {', '.join(str(int(s)) for s in sums)} }};")
    m.emit(f"cmsis_nn_context ctx = {{ (void *)sums, {4 * units} }};")
    m.emit("#else")
    m.emit("cmsis_nn_context ctx = { NULL, 0 };")
    m.emit("#endif")
    m.emit(" ".join([*params,
                     "if (arm_fully_connected_s8_get_buffer_size(&f_d) > ctx.size) return 3;",
                     f"if (arm_fully_connected_s8(&ctx, &fp, &q, &in_d, {x}, &f_d, "
                     f"{m.ptr(node.inputs[1], const=True)}, &b_d, {b}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) "
                     "return 4;"]))
    m.emit("}")
