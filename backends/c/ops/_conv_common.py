"""Shared by the convolution and fully-connected emitters: the float clamp, the bias width.
Their requantisation arrays and folded biases come from backends/c/requant.py."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import c_float
from tinycc.core.ops.common import activation_range_float


def float_range(activation: str) -> tuple[str, str]:
    lo, hi = activation_range_float(activation)
    return ("-FLT_MAX" if np.isinf(lo) else c_float(lo)), ("FLT_MAX" if np.isinf(hi) else c_float(hi))


def bias_ptr(node, m, dtype: str) -> str:
    """16x8 kernels accumulate in int64: their bias is emitted as int64 whatever its stored width."""
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if name is None:
        return "NULL"
    if dtype == "int16":
        return m.const_array(m.g.tensors[name].data.astype(np.int64), "bias64", comment=name)
    return m.ptr(name, const=True)


def output_channel_rows(node, g):
    """The filter's values one row per output channel (what requant.packed_multipliers proves its words
    against), or None where a row is not one channel's weights (depthwise with a depth multiplier)."""
    data = g.tensors[node.inputs[1]].data
    if node.op != "depthwise_conv_2d":
        return data
    if node.attrs["depth_multiplier"] != 1:
        return None
    return np.moveaxis(data.reshape(-1, data.shape[3]), 1, 0)
