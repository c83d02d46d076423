"""C emitter for floor_div: floorf(x / y) with broadcasting (kernels/binary_fn.h, math.h)."""
from tinycc.backends.c.ops._binary_fn import emit_plain


def emit(node, m, p):
    m.needs_math = True
    emit_plain(node, m, "floor_div", "float32", "floorf(x / y)")
