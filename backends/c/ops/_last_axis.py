"""Shared by the emitters of the row-normalising operators (L2_NORMALIZATION, LOG_SOFTMAX): the float32
call of their `<name>_f32.h` kernel over (rows, depth), which needs <math.h>."""
from __future__ import annotations


def emit_f32(node, m, p, name: str) -> None:
    m.needs_math = True
    m.use_kernel(f"{name}_f32.h")
    m.emit(f"tinycc_{name}_f32({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {p['rows']}, "
           f"{p['depth']});")
