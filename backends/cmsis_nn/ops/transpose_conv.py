"""transpose_conv through CMSIS-NN's arm_transpose_conv_s8 (int8, per-channel weights), filled as
TFLM's cmsis_nn/transpose_conv.cc fills cmsis_nn_transpose_conv_params.

arm_transpose_conv_s8 multiplies every input pixel by the filter into a column buffer (kh * kw *
h * w * co int32) and scatters the columns into an int32 image of the output (oh * ow * co, bias
first), then rescales. Its column-to-image loop walks col_y x col_x = ((o + pad_offset + pad -
k) / s + 1) input positions per axis, so it is right only when those are the input's own h x w:
SAME layers with kernels up to stride + 1 (pad + offset is the end padding, ceil((k - s) / 2)),
VALID layers at their natural output size or up to stride - 1 larger. Other layers (SAME 4x4
stride 2, outputs cut to any output_shape, as TFLM allows) keep the c kernel. Both buffers are one scratch block in
the arena: the column buffer, then the image.
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.cmsis_nn.ops._common import bias, block, context, dims, int8_io, io
from tinycc.core.ops import common as c


def _trunc_div(a: int, b: int) -> int:
    """C's integer division (toward zero)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def _pads(node, g) -> tuple[tuple[int, int], tuple[int, int]]:
    """((pad_h, pad_w), (offset_h, offset_w)): TFLM's ComputePaddingHeightWidth over the output
    (dilation 1); the offset is the odd part of the total padding (its end minus its begin)."""
    a = node.attrs
    if a["padding"] != "same":
        return (0, 0), (0, 0)
    w = g.tensors[node.inputs[1]]
    out = a["output_shape"]
    h_begin, h_end = c.same_padding(out[1], w.shape[1], a["strides"][0], 1)
    w_begin, w_end = c.same_padding(out[2], w.shape[2], a["strides"][1], 1)
    return (h_begin, w_begin), (h_end - h_begin, w_end - w_begin)


def _columns(node, g) -> tuple[int, int]:
    """(col_y, col_x) as arm_transpose_conv_s8 computes them."""
    w = g.tensors[node.inputs[1]]
    (ph, pw), (oh_off, ow_off) = _pads(node, g)
    _, oh, ow, _ = g.tensors[node.outputs[0]].shape
    sh, sw = node.attrs["strides"]
    return (_trunc_div(oh + oh_off + ph - w.shape[1], sh) + 1, _trunc_div(ow + ow_off + pw - w.shape[2], sw) + 1)


def applies(node, g) -> bool:
    if not int8_io(node, g) or g.tensors[node.inputs[1]].dtype != "int8":
        return False
    x = g.tensors[node.inputs[0]]
    return _columns(node, g) == (x.shape[1], x.shape[2])


def _sizes(node, g) -> tuple[int, int]:
    """(column buffer, image buffer) bytes: arm_transpose_conv_s8_get_buffer_size (the same for
    scalar, DSP and MVE builds) and output_ctx's oh * ow * co int32."""
    _, h, w, _ = g.tensors[node.inputs[0]].shape
    _, kh, kw, _ = g.tensors[node.inputs[1]].shape
    _, oh, ow, co = g.tensors[node.outputs[0]].shape
    return 4 * kh * kw * h * w * co, 4 * oh * ow * co


def scratch_bytes(node, g, kernels: str = "dsp") -> int:
    """Both buffers, the same for scalar, DSP and MVE builds (`kernels` makes no difference)."""
    return sum(_sizes(node, g))


def emit(node, m, p):
    g = m.g
    x, y = io(node, m)
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    col, img = _sizes(node, g)
    (ph, pw), (oh_off, ow_off) = _pads(node, g)
    sh, sw = node.attrs["strides"]
    mult = m.const_array(np.asarray(p["multiplier"], np.int32), "mult")
    shift = m.const_array(np.asarray(p["shift"], np.int32), "shift")
    block(m, [f"cmsis_nn_context ctx = {context(node, m, col)};",
              f"cmsis_nn_context out_ctx = {{ (int8_t *)ctx.buf + {col}, {img} }};",
              f"cmsis_nn_per_channel_quant_params q = {{ (int32_t *){mult}, (int32_t *){shift} }};",
              f"const cmsis_nn_dims in_d = {dims(x_t.shape)}, f_d = {dims(w_t.shape)}, "
              f"b_d = {{ 1, 1, 1, {w_t.shape[0]} }}, out_d = {dims(y_t.shape)};",
              f"const cmsis_nn_transpose_conv_params tp = {{ {-p['input_zp']}, {p['output_zp']}, {{ {sw}, {sh} }}, "
              f"{{ {pw}, {ph} }}, {{ {ow_off}, {oh_off} }}, {{ 1, 1 }}, {{ {p['act_min']}, {p['act_max']} }} }};",
              f"if (arm_transpose_conv_s8_get_buffer_size(&in_d, &f_d, &out_d) > {col}) return 3;",
              f"if (arm_transpose_conv_s8(&ctx, &out_ctx, &tp, &q, &in_d, {x}, &f_d, "
              f"{m.ptr(node.inputs[1], const=True)}, &b_d, {bias(node, m)}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) "
              "return 4;"])
