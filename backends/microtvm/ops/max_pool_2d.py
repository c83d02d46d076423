"""max_pool_2d: Relax's NHWC max_pool2d, then the fused activation."""
from __future__ import annotations

from tinycc.backends.microtvm.ops._common import activation


def relax_op(relax, node, g, x, val):
    a = node.attrs
    y = relax.op.nn.max_pool2d(x, pool_size=a["kernel"], strides=a["strides"], padding=a["pads"], layout="NHWC")
    return activation(relax, y, a["activation"])
