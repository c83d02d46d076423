"""C emitter for add: tinycc_addsub_{s8,s16} (sign +1) or tinycc_binary_f32."""
from tinycc.backends.c.ops._binary_common import emit_addsub as emit  # noqa: F401
