"""The c backend's 4-bit-weight (4w8a) variants of conv_2d, depthwise_conv_2d and fully_connected:
int4 weights (core/int4.py) stored packed, two a byte, and unpacked nibble by nibble in the kernels'
multiply-accumulate: the int8 reference loops (kernels/reference/*_a8.h) instantiated for packed weights
(kernel_units.S4_WEIGHTS)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._conv_common import stored_weights_variants
from tinycc.core import int4


def packed_weights(node, m) -> str | None:
    """The packed filter's C array of `node`, or None when its weights are not int4 (or not int8 ops)."""
    w = m.g.tensors[node.inputs[1]]
    if not int4.is_int4(w) or m.g.tensors[node.inputs[0]].dtype != "int8":
        return None
    for header in ("weights_s4.h", f"{node.op}_s4.h"):
        m.use_kernel(header)
    raw = np.frombuffer(int4.pack(w.data), dtype=np.uint8)
    return m.const_array(raw, "w4b", comment=f"{node.inputs[1]} int4 {list(w.shape)}, two a byte, low nibble first")


def _w4b(w: str | None) -> dict | None:
    return None if w is None else {"w4b": w}


CONV, DEPTHWISE, FULLY_CONNECTED = stored_weights_variants(
    "s4", lambda node, m: _w4b(packed_weights(node, m)), "{w4b}", ", 0")
