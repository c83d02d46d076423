"""Shared by the emitters of two-input elementwise functions (kernels/binary_fn.h): instantiate
the function a node needs once per model, then call it with the broadcast description."""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES
from tinycc.backends.c.ops._binary_common import bcast

SUFFIX = {"int8": "s8", "int16": "s16", "int32": "s32", "int64": "s64", "float32": "f32", "bool": "b"}


def define(m, name: str, ta: str, to: str, expr: str, tb: str | None = None, params: str | None = None) -> None:
    """TINYCC_BINARY_FN(name, ...) among the model's definitions, once."""
    m.use_kernel("elementwise.h")
    m.use_kernel("binary_fn.h")
    if params is None:
        line = f"TINYCC_BINARY_FN({name}, {ta}, {to}, {expr})"
    else:
        line = f"TINYCC_BINARY_FN_P({name}, {ta}, {tb or ta}, {to}, {params}, {expr})"
    if line not in m.locals:
        m.local(line)


def call(node, m, name: str, params: str | None = None, inputs=None) -> None:
    """name(n, bcast, a, b, out[, &params]) for the node's two inputs and its output."""
    a, b = inputs or node.inputs
    n = m.g.tensors[node.outputs[0]].size
    extra = f", &{params}" if params else ""
    m.emit(f"{name}({n}, {bcast(node, m)}, {m.ptr(a, const=True)}, {m.ptr(b, const=True)}, "
           f"{m.ptr(node.outputs[0])}{extra});")


def emit_plain(node, m, op: str, dtype: str, expr: str, out_dtype: str | None = None) -> None:
    """An unquantised function `expr` of x and y on the node's inputs (one per op and dtype)."""
    name = f"tinycc_{op}_{SUFFIX[dtype]}"
    define(m, name, CTYPES[dtype], CTYPES[out_dtype or dtype], expr)
    call(node, m, name)


def c_int(v) -> str:
    v = int(v)
    return {-(1 << 31): "INT32_MIN", (1 << 31) - 1: "INT32_MAX"}.get(v, str(v))


def bounds(node, m, ctype: str, lo, hi) -> str:
    """A static `ctype name[2] = {lo, hi}` (clamp bounds); returns `name[0]` for `call`'s &params."""
    name = m.namer(f"{node.name}_bounds")
    lo, hi = (v if isinstance(v, str) else c_int(v) for v in (lo, hi))
    m.local(f"static const {ctype} {name}[2] = {{{lo}, {hi}}};")
    return f"{name}[0]"
