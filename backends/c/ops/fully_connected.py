"""C emitter for fully_connected: a call to tinycc_fully_connected_{s8,s16,f32}."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range, folded_bias, requant_arrays


def emit(node, m, p):
    g = m.g
    w_t = g.tensors[node.inputs[1]]
    units, depth = w_t.shape
    rows = g.tensors[node.inputs[0]].size // depth
    dtype = p["dtype"]
    m.use_kernel("dot_s8.h")
    m.use_kernel("fully_connected.h")
    x, w, y = m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), m.ptr(node.outputs[0])
    bias = bias_ptr(node, m, dtype)
    dims = f"{rows}, {units}, {depth}"
    if dtype == "float32":
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_fully_connected_f32({dims}, {x}, {w}, {bias}, {y}, {lo}, {hi});")
        return
    mult, shift = requant_arrays(node, m, p)
    per_channel = int(len(p["multiplier"]) > 1)
    if dtype == "int8" and p["weights_zp"] == 0:
        folded = folded_bias(node, m, p, w_t.data, p["input_zp"])
        if folded is not None:
            # the input offset folded into the bias, two units per pass over the input (dot_s8.h)
            m.emit(f"tinycc_fully_connected_s8_fast({dims}, {x}, {w}, {folded[1]}, {y}, {p['output_zp']}, {mult}, "
                   f"{shift}, {per_channel}, {p['act_min']}, {p['act_max']});")
            return
    in_zp = f"{p['input_zp']}, " if dtype == "int8" else ""
    m.emit(f"tinycc_fully_connected_{SUFFIX[dtype]}({dims}, {x}, {w}, {bias}, {y}, {in_zp}{p['weights_zp']}, "
           f"{p['output_zp']}, {mult}, {shift}, {per_channel}, {p['act_min']}, {p['act_max']});")
