"""Shared by the convolution and fully-connected emitters: the float clamp, the bias width, the constants of the
variants over weights stored their own way (int4, LUT). Their requantisation arrays and folded biases come from
backends/c/requant.py."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import requant
from tinycc.backends.c.emitter import c_float
from tinycc.backends.c.ops._variants import Variant
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


def stored_weights_constants(weights):
    """(conv, fc): the Variant `constants` of int8-activation kernels whose weights are stored their own way
    (int4 packed, LUT): `weights(node, m)` is the weights' C values (a dict), or None when they do not apply
    (the emitter's use_kernel calls made).
    conv_2d / depthwise_conv_2d take the reference multipliers (the shift in the multiplier word where that is
    exact: requant.packed_multipliers, as for int8 weights); fully_connected per-tensor or per-unit arrays and
    weights of zero point 0."""
    def conv(node, m, p, inplace):
        if p["dtype"] != "int8":
            return None
        w = weights(node, m)
        if w is None:
            return None
        mult, shift = requant.reference_mult_shift(node, m, p, output_channel_rows(node, m.g))
        return {**w, "mult": mult, "shift": shift, "bias": bias_ptr(node, m, "int8")}

    def fc(node, m, p, inplace):
        if p["dtype"] != "int8" or p["weights_zp"] != 0:
            return None
        w = weights(node, m)
        if w is None:
            return None
        mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
        return {**w, "mult": mult, "shift": shift, "bias": bias_ptr(node, m, "int8"),
                "per_channel": int(len(p["multiplier"]) > 1)}
    return conv, fc


def stored_weights_variants(name: str, weights, w: str, fc_w_zp: str) -> tuple[Variant, Variant, Variant]:
    """The (conv_2d, depthwise_conv_2d, fully_connected) variants of the reference loops kernels/reference/*_a8.h
    instantiated for weights stored as `name` (kernel_units.PARAMS: tinycc_conv_2d_NAME, ...): `weights` as in
    stored_weights_constants, `w` the filter's arguments (a str.format template of its values), `fc_w_zp`
    fully_connected's weights zero point argument after in_zp (", 0", or "" when the kernel takes none)."""
    conv, fc = stored_weights_constants(weights)
    tail = "{in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}"
    conv_args = f"&{{shape}}, {{x}}, {w}, {{bias}}, {{y}}, {tail}"
    inplace_args = f"&{{shape}}, &{{ring_shape}}, {{buf}}, {w}, {{bias}}, {{ring}}, {tail}"
    fc_args = (f"{{dims}}, {{x}}, {w}, {{bias}}, {{y}}, {{in_zp}}{fc_w_zp}, {{out_zp}}, {{mult}}, {{shift}}, "
               "{per_channel}, {act_min}, {act_max}")
    conv_v, dw_v, fc_v = (Variant(name, f"tinycc_{op}_{name}", args, f"reference/{op}_a8.h", constants,
                                  f"tinycc_{op}_{name}_inplace" if inplace else None,
                                  inplace_args if inplace else None)
                          for op, args, constants, inplace in (("conv_2d", conv_args, conv, True),
                                                               ("depthwise_conv_2d", conv_args, conv, True),
                                                               ("fully_connected", fc_args, fc, False)))
    return conv_v, dw_v, fc_v
