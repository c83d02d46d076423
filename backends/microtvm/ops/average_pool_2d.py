"""average_pool_2d: Relax's NHWC avg_pool2d (padding not counted), then the fused activation."""
from __future__ import annotations

from tinycc.backends.microtvm.ops._common import activation


def relax_op(relax, node, g, x, val):
    a = node.attrs
    y = relax.op.nn.avg_pool2d(x, pool_size=a["kernel"], strides=a["strides"], padding=a["pads"], layout="NHWC",
                               count_include_pad=False)
    return activation(relax, y, a["activation"])
