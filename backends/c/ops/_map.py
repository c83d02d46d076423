"""Shared by the one-input elementwise emitters whose kernel is a function of each element.

Each operator's emitter states its own per-element C function (`body`: statements over the input
element `v` that return the output element); `emit_map` defines it once per module as a static
inline `tinycc_elem_<name>` plus its loop (kernels/map.h `TINYCC_MAP`) and calls the loop. Adding
an operator this way edits no shared list.
"""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES

SUFFIX = {"float32": "f32", "int8": "s8", "int16": "s16", "int32": "s32", "int64": "s64", "bool": "b",
          "uint8": "u8", "uint32": "u32"}


def emit_map(node, m, name: str, body: str, math: bool = False) -> None:
    """y[i] = f(x[i]) for the node's input x and output y; `name` must be unique per function (op and
    dtypes), `math` when `body` calls <math.h>."""
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    tin, tout = CTYPES[x.dtype], CTYPES[y.dtype]
    m.use_kernel("map.h")
    if math:
        m.needs_math = True
    m.add_kernel_source(f"static inline {tout} tinycc_elem_{name}({tin} v) {{\n    {body}\n}}\n"
                        f"TINYCC_MAP({name}, {tin}, {tout})\n")
    m.emit(f"tinycc_map_{name}({y.size}, {m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])});")


def emit_f32(node, m, op: str, expression: str, math: bool = True) -> None:
    """A float32 -> float32 map whose value is the C `expression` of the float `v`."""
    emit_map(node, m, f"{op}_f32", f"return {expression};", math)
