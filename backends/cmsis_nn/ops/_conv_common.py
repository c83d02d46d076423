"""What CMSIS-NN's convolution and depthwise wrappers share: batch-1 int8 tensors, per-channel
requantisation arrays, the context and the dims of input, filter, bias and output."""
from __future__ import annotations

from tinycc.backends.c.requant import mult_shift_arrays
from tinycc.backends.cmsis_nn.ops._common import bias, context, dims, int8_io


def applies(node, g) -> bool:
    return int8_io(node, g) and g.tensors[node.inputs[0]].shape[0] == 1


def setup(node, m, p, out_channels: int, size: int) -> tuple[list[str], str]:
    """The statements declaring ctx, q, in_d, f_d, b_d and out_d, and the bias pointer."""
    g = m.g
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    mult, shift = mult_shift_arrays(node, m, p, comment=False)
    b = bias(node, m)
    lines = [f"cmsis_nn_context ctx = {context(node, m, size)};",
             f"cmsis_nn_per_channel_quant_params q = {{ (int32_t *){mult}, (int32_t *){shift} }};",
             f"const cmsis_nn_dims in_d = {dims(x_t.shape)}, f_d = {dims(w_t.shape)}, "
             f"b_d = {{ 1, 1, 1, {out_channels} }}, out_d = {dims(y_t.shape)};"]
    return lines, b


def geometry(node) -> str:
    """`{ stride }, { padding }, { dilation }` as CMSIS-NN's params want them (x before y)."""
    a = node.attrs
    (sh, sw), (dh, dw) = a["strides"], a["dilations"]
    top, left = a["pads"][0], a["pads"][1]
    return f"{{ {sw}, {sh} }}, {{ {left}, {top} }}, {{ {dw}, {dh} }}"
