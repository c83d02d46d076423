"""C emitter for maximum: `x > y ? x : y` with broadcasting (kernels/binary_fn.h), every dtype."""
from tinycc.backends.c.ops._binary_fn import emit_plain


def emit(node, m, p):
    emit_plain(node, m, "maximum", p["dtype"], "x > y ? x : y")
