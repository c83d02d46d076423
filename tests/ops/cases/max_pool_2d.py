"""MAX_POOL_2D cases: the shared pool builder (_common.pool)."""
from __future__ import annotations

from tests.ops.cases._common import pool

DTYPES = ("int8", "int16", "float32")


build = pool("max_pool_2d")
