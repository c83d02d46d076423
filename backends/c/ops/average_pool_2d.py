"""C emitter for average_pool_2d (kernel in pooling.h)."""
from tinycc.backends.c.ops._pool_common import emit_pool


def emit(node, m, p):
    emit_pool("average_pool_2d", node, m, p)
