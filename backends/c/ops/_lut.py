"""The c backend's LUT-weight variants of conv_2d, depthwise_conv_2d and fully_connected (int8 activations):
weights compressed as TF Lite Micro compresses them (core/lut.py) stay in flash as packed indices and
per-channel value tables, each weight decoded in the kernels' multiply-accumulate (the int8 reference loops
kernels/reference/*_a8.h instantiated for LUT weights, kernel_units.LUT_WEIGHTS): no decoded copy of the filter
in RAM; flash = indices + tables. The fast variants (kernels/optimised/*_lut_fast.h, left out by
`--optimize size`) decode one output channel's filter (conv_2d) or a unit's weights (fully_connected) at a time
into a stack buffer of LUT_ROW_BYTES and run the int8 dot products of dot_s8.h on it: still no decoded copy of
the tensor, the same output bytes."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._conv_common import stored_weights_variants
from tinycc.backends.c.ops._variants import Variant
from tinycc.core import lut

LUT_ROW_BYTES = 1024    # TINYCC_LUT_ROW_BYTES of kernels/optimised/weights_lut_fast.h: one decoded filter's stack bytes


def usable(node, g) -> lut.Lut | None:
    """The weights' Lut when the LUT kernels read it: int8 weights and activations, a table per output
    channel (or one), and the encoding still decodes to the values the graph holds."""
    w, x = g.tensors[node.inputs[1]], g.tensors[node.inputs[0]]
    enc = w.lut
    if enc is None or w.int4 or w.dtype != "int8" or w.data is None or x.dtype != "int8":
        return None
    if not lut.c_usable(enc, node.op, w.quant.axis if w.quant is not None else None, len(w.shape)):
        return None
    return enc if np.array_equal(lut.decode(enc, w.shape), w.data) else None


def lut_weights(node, m) -> dict | None:
    enc = usable(node, m.g)
    if enc is None:
        return None
    for header in ("weights_lut.h", f"{node.op}_lut.h"):
        m.use_kernel(header)
    name = node.inputs[1]
    idx = m.const_array(np.frombuffer(enc.indices, dtype=np.uint8), "wlut",
                        comment=f"{name} LUT indices, {enc.bits} bits each, most significant bit first")
    tables = m.const_array(enc.tables.astype(np.int8).reshape(-1), "wtab",
                           comment=f"{name} LUT value tables, {enc.channels} x {enc.stride}")
    return {"wlut": idx, "wtab": tables, "bits": enc.bits, "chstride": enc.stride if enc.channels > 1 else 0}


CONV, DEPTHWISE, FULLY_CONNECTED = stored_weights_variants(
    "lut", lut_weights, "{wlut}, {wtab}, {bits}, {chstride}L", "")


def _fast(op: str, constants):
    """`constants` of the fast variant: the reference LUT variant's, with the fast kernels' units; conv_2d
    only when one output channel's filter fits the stack buffer."""
    def fast(node, m, p, inplace):
        w = m.g.tensors[node.inputs[1]]
        if op == "conv_2d" and int(np.prod(w.shape[1:])) > LUT_ROW_BYTES:
            return None
        values = constants(node, m, p, inplace)
        if values is not None:
            for header in ("dot_s8.h", "weights_lut_fast.h", f"{op}_lut_fast.h"):
                m.use_kernel(header)
        return values
    return fast


CONV_FAST = Variant("lut_fast", "tinycc_conv_2d_lut_fast", CONV.args, "optimised/conv_2d_lut_fast.h",
                    _fast("conv_2d", CONV.constants), "tinycc_conv_2d_lut_fast_inplace", CONV.inplace_args, fast=True)
FULLY_CONNECTED_FAST = Variant("lut_fast", "tinycc_fully_connected_lut_fast", FULLY_CONNECTED.args,
                               "optimised/fully_connected_lut_fast.h",
                               _fast("fully_connected", FULLY_CONNECTED.constants), fast=True)
