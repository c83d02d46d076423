"""C emitter for relu (int8 is a table, see lut): integer rescale + clamp, or the float kernel."""
from tinycc.backends.c.ops._unary_common import emit_activation as emit  # noqa: F401
