"""C emitter for not_equal (backends/c/ops/_comparison.py)."""
from tinycc.backends.c.ops._comparison import emit  # noqa: F401
