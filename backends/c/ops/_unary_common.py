"""Shared by the elementwise unary emitters: the float kernel call and the integer rescale call."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX, c_float

FLOAT_OPS = {"relu": "TINYCC_RELU", "relu6": "TINYCC_RELU6", "leaky_relu": "TINYCC_LEAKY_RELU",
             "logistic": "TINYCC_LOGISTIC", "tanh": "TINYCC_TANH"}


def io(node, m):
    return m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0]), m.g.tensors[node.outputs[0]].size


def emit_float(node, m):
    m.use_kernel("unary_f32.h")
    m.needs_math = True
    x, y, n = io(node, m)
    alpha = c_float(node.attrs.get("alpha", 0.0))
    m.emit(f"tinycc_unary_f32({n}, {x}, {y}, {FLOAT_OPS[node.op]}, {alpha});")


def emit_rescale(node, m, p):
    m.use_kernel("unary.h")
    x, y, n = io(node, m)
    kind = f"{SUFFIX[m.g.tensors[node.inputs[0]].dtype]}_{SUFFIX[m.g.tensors[node.outputs[0]].dtype]}"
    m.emit(f"tinycc_rescale_{kind}({n}, {x}, {y}, {p['input_zp']}, {p['multiplier']}, {p['shift']}, "
           f"{p['output_zp']}, {p['act_min']}, {p['act_max']});")


def emit_activation(node, m, p):
    """relu-like ops: float kernel, or integer rescale/clamp per the reference's constants."""
    if p["dtype"] == "float32":
        return emit_float(node, m)
    return emit_rescale(node, m, p)
