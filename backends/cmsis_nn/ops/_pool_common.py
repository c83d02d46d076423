"""What CMSIS-NN's average and max pooling share: batch-1 int8 tensors, the pool params and dims."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import act, context, dims, int8_io


def applies(node, g) -> bool:
    return int8_io(node, g) and g.tensors[node.inputs[0]].shape[0] == 1


def setup(node, m, p, size: int) -> list[str]:
    """The statements declaring ctx, pp, in_d, f_d and out_d."""
    a = node.attrs
    x_t, y_t = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    (sh, sw), (kh, kw) = a["strides"], a["kernel"]
    top, left = a["pads"][0], a["pads"][1]
    return [f"cmsis_nn_context ctx = {context(node, m, size)};",
            f"const cmsis_nn_pool_params pp = {{ {{ {sw}, {sh} }}, {{ {left}, {top} }}, {act(p)} }};",
            f"const cmsis_nn_dims in_d = {dims(x_t.shape)}, f_d = {{ 1, {kh}, {kw}, 1 }}, out_d = {dims(y_t.shape)};"]
