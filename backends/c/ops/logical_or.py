"""C emitter for logical_or: `x || y` on bytes holding 0 or 1 (kernels/binary_fn.h)."""
from tinycc.backends.c.ops._binary_fn import emit_plain


def emit(node, m, p):
    emit_plain(node, m, "logical_or", "bool", "x || y")
