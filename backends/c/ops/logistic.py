"""C emitter for logistic (int8 is a table, see lut): the float kernel."""
from tinycc.backends.c.ops._unary_common import emit_float


def emit(node, m, p):
    emit_float(node, m)
