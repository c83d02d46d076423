"""conv_2d: Relax's NHWC conv2d (float) and the int8 twin's tensor expression."""
from __future__ import annotations

from tinycc.backends.microtvm.ops._conv_common import conv_like as te_int8
from tinycc.backends.microtvm.ops._conv_common import relax_op

__all__ = ["relax_op", "te_int8"]
