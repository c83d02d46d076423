"""The c backend's 4-bit-weight (4w8a) variants of conv_2d, depthwise_conv_2d and fully_connected:
int4 weights (core/int4.py) stored packed, two a byte, and unpacked nibble by nibble in the kernels'
multiply-accumulate: the int8 reference loops (kernels/reference/*_a8.h) instantiated for packed weights
(kernel_units.S4_WEIGHTS)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import requant
from tinycc.backends.c.ops._conv_common import bias_ptr, output_channel_rows
from tinycc.backends.c.ops._variants import Variant
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


def _conv(node, m, p, inplace):
    if p["dtype"] != "int8":
        return None
    w = packed_weights(node, m)
    if w is None:
        return None
    # the shift in the multiplier word where that is exact (requant.packed_multipliers), as for int8 weights
    mult, shift = requant.reference_mult_shift(node, m, p, output_channel_rows(node, m.g))
    return {"w4b": w, "mult": mult, "shift": shift, "bias": bias_ptr(node, m, "int8")}


def _fc(node, m, p, inplace):
    if p["dtype"] != "int8" or p["weights_zp"] != 0:
        return None
    w = packed_weights(node, m)
    if w is None:
        return None
    mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
    return {"w4b": w, "mult": mult, "shift": shift, "bias": bias_ptr(node, m, "int8"),
            "per_channel": int(len(p["multiplier"]) > 1)}


CONV_ARGS = "&{shape}, {x}, {w4b}, {bias}, {y}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}"
INPLACE_ARGS = ("&{shape}, &{ring_shape}, {buf}, {w4b}, {bias}, {ring}, {in_zp}, {out_zp}, {mult}, {shift}, "
                "{act_min}, {act_max}")
CONV = Variant("s4", "tinycc_conv_2d_s4", CONV_ARGS, "reference/conv_2d_a8.h", _conv,
               "tinycc_conv_2d_s4_inplace", INPLACE_ARGS)
DEPTHWISE = Variant("s4", "tinycc_depthwise_conv_2d_s4", CONV_ARGS, "reference/depthwise_conv_2d_a8.h", _conv,
                    "tinycc_depthwise_conv_2d_s4_inplace", INPLACE_ARGS)
FULLY_CONNECTED = Variant("s4", "tinycc_fully_connected_s4",
                          "{dims}, {x}, {w4b}, {bias}, {y}, {in_zp}, 0, {out_zp}, {mult}, {shift}, {per_channel}, "
                          "{act_min}, {act_max}", "reference/fully_connected_a8.h", _fc)
