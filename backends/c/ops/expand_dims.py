"""C emitter for expand_dims: a view, emitted as reshape is (nothing when aliased, else one memcpy)."""
from __future__ import annotations

from tinycc.backends.c.ops.reshape import emit  # noqa: F401
