"""depthwise_conv_2d through CMSIS-NN's arm_depthwise_conv_wrapper_s8 (int8, batch 1), or
arm_depthwise_conv_wrapper_s4 for int4 weights (packed: _common.weights), which runs out of place (its
kernels' schedules are not analysed for aliasing).

Its aliasing (`in_place`): every kernel the wrapper may pick writes pixel by pixel in raster order:
arm_depthwise_conv_3x3_s8 and arm_depthwise_conv_s8 (generic and multiplier-of-4) read a pixel's
window between its writes (interleaved, one pixel), arm_depthwise_conv_s8_opt's DSP build copies
one window to its scratch before the pixel's writes, its MVE build four; the gap is the largest
of these. On MVE, arm_depthwise_conv_s8_opt sweeps the whole input once per block of
CH_IN_BLOCK_MVE (124) channels: with more channels (multiplier 1, no dilation), no overlap.
"""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops import _conv_common, _overlap
from tinycc.backends.cmsis_nn.ops._common import act, block, io, planned_scratch, s4, weights
from tinycc.core.inplace import Overlap, conv_geometry

CH_IN_BLOCK_MVE = 124          # arm_nnsupportfunctions.h

applies = _conv_common.applies


def scratch_bytes(node, g, kernels: str = "dsp") -> int:
    """arm_depthwise_conv_wrapper_s8_get_buffer_size's bound: DSP one int16 window of every channel;
    MVE (arm_depthwise_conv_s8_opt, every kernel size, when the channels stay the same and no
    dilation) 4 int8 windows of CH_IN_BLOCK_MVE channels, whatever the channels. s4
    (arm_depthwise_conv_wrapper_s4_get_buffer_size, every build): one int16 window of every channel when
    the channels stay the same and no dilation (arm_depthwise_conv_s4_opt), else none."""
    x, w = g.tensors[node.inputs[0]].shape, g.tensors[node.inputs[1]].shape
    if s4(node, g):
        same = x[3] == g.tensors[node.outputs[0]].shape[3] and tuple(node.attrs["dilations"]) == (1, 1)
        return 2 * x[3] * w[1] * w[2] if same else 0
    if kernels == "mve":
        y = g.tensors[node.outputs[0]].shape
        opt = x[3] == y[3] and tuple(node.attrs["dilations"]) == (1, 1)
        return 4 * CH_IN_BLOCK_MVE * w[1] * w[2] if opt else 0
    return 2 * x[3] * w[1] * w[2]


def emit(node, m, p):
    x, y = io(node, m)
    size = planned_scratch(node, m)
    lines, bias = _conv_common.setup(node, m, p, m.g.tensors[node.inputs[1]].shape[3], size)
    k = "s4" if s4(node, m.g) else "s8"
    lines += [f"const cmsis_nn_dw_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, "
              f"{node.attrs['depth_multiplier']}, {_conv_common.geometry(node)}, {act(p)} }};",
              f"if (arm_depthwise_conv_wrapper_{k}_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
              f"if (arm_depthwise_conv_wrapper_{k}(&ctx, &cp, &q, &in_d, {x}, &f_d, "
              f"{weights(node, m)}, &b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
    block(m, lines)


def in_place(node, g) -> Overlap:
    """The gap arm_depthwise_conv_wrapper_s8's kernels need below the input (module docstring); s4: no overlap."""
    if s4(node, g):
        return Overlap(gap=None)
    s = conv_geometry(node, g)
    opt = node.attrs["depth_multiplier"] == 1 and s["dh"] == s["dw"] == 1
    if opt and s["ci"] > CH_IN_BLOCK_MVE:
        return Overlap(gap=None)
    lows = _overlap.window_lows(s)
    need = _overlap.gap(lows, s["co"], 1, interleaved=True)
    if opt:
        need = max(need, _overlap.gap(lows, s["co"], 4, interleaved=False))
    return Overlap(gap=need)
