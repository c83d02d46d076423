"""conv_2d through CMSIS-NN's arm_convolve_wrapper_s8 (int8, batch 1, per-channel weights), or
arm_convolve_wrapper_s4 for int4 weights (packed: _common.weights); an s4 twin runs out of place (its
kernels' schedules are not analysed for aliasing: the c kernel's row ring where the plan wants one).

Its aliasing (`in_place`), per the kernel the wrapper picks (scalar, DSP and MVE builds alike):
- 1x1, stride 1, no padding (arm_convolve_1x1_s8_fast -> arm_nn_mat_mult_nt_t_s8): scalar and DSP
  builds sweep the whole input once per pair of output channels, writing every pixel's first
  channels while every pixel is still to be read: no overlap (the c kernel's row ring instead);
- 1x1 strided (arm_convolve_1x1_s8): one output row per arm_nn_mat_mult_nt_t_s8 call, its input
  row read between the row's writes: a gap of one interleaved output row;
- 1xN (arm_convolve_1_x_n_s8: arm_convolve_s8 off MVE; on MVE single padded pixels and 4-pixel
  interleaved groups) and the rest (arm_convolve_s8: im2col of 2 pixels, 4 on MVE, into the
  scratch, then their outputs): the largest gap of these schedules.
"""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _conv_common, _overlap
from tinycc.backends.cmsis_nn.ops._common import act, align4, block, io, planned_scratch, s4, weights
from tinycc.core.inplace import Overlap, conv_geometry

applies = _conv_common.applies


def scratch_bytes(node, g, kernels: str = "dsp") -> int:
    """arm_convolve_wrapper_s8_get_buffer_size's bound: DSP 2 int16 im2col columns of the filter's
    length rounded up to 4; MVE 4 int8 columns rounded up to 8 (arm_convolve_s8_get_buffer_size_mve).
    s4 (arm_convolve_wrapper_s4_get_buffer_size, every build): none for a 1x1 filter without top or left
    padding or dilation, else 2 int16 columns of the filter's length."""
    w = g.tensors[node.inputs[1]].shape
    col = w[1] * w[2] * w[3]
    if s4(node, g):
        a = node.attrs
        pointwise = w[1] == w[2] == 1 and a["pads"][0] == a["pads"][1] == 0 and tuple(a["dilations"]) == (1, 1)
        return 0 if pointwise else 4 * col
    return 4 * ((col + 7) // 8 * 8) if kernels == "mve" else 4 * align4(col)


def emit(node, m, p):
    x, y = io(node, m)
    size = planned_scratch(node, m)
    lines, bias = _conv_common.setup(node, m, p, m.g.tensors[node.inputs[1]].shape[0], size)
    k = "s4" if s4(node, m.g) else "s8"
    lines += [f"const cmsis_nn_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, {_conv_common.geometry(node)}, "
              f"{act(p)} }};",
              f"if (arm_convolve_wrapper_{k}_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
              f"if (arm_convolve_wrapper_{k}(&ctx, &cp, &q, &in_d, {x}, &f_d, {weights(node, m)}, "
              f"&b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
    block(m, lines)


def in_place(node, g) -> Overlap:
    """The gap arm_convolve_wrapper_s8's kernel for this node needs below its input (module docstring);
    s4: no overlap."""
    if s4(node, g):
        return Overlap(gap=None)
    s = conv_geometry(node, g)
    a = node.attrs
    # the wrapper's test: CMSIS-NN sees only the top and left padding
    pointwise = s["kh"] == s["kw"] == 1 and s["dh"] == s["dw"] == 1 and a["pads"][0] == a["pads"][1] == 0
    if pointwise and s["sh"] == s["sw"] == 1:
        return Overlap(gap=None)
    lows = _overlap.window_lows(s)
    if pointwise:
        return Overlap(gap=_overlap.gap(lows, s["co"], s["ow"], interleaved=True, aligned=True))
    need = max(_overlap.gap(lows, s["co"], group, interleaved=False) for group in (2, 4))
    if s["h"] == 1 and s["kh"] == 1 and s["dw"] == 1:
        need = max(need, _overlap.gap(lows, s["co"], 4, interleaved=True))
    return Overlap(gap=need)
