"""C emitter for floor_mod: tinycc_floor_mod_f (kernels/binary_fn.h, math.h) with broadcasting."""
from tinycc.backends.c.ops._binary_fn import emit_plain


def emit(node, m, p):
    m.needs_math = True
    emit_plain(node, m, "floor_mod", "float32", "tinycc_floor_mod_f(x, y)")
