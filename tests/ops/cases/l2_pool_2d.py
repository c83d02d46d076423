"""L2_POOL_2D cases: the shared pool builder (_common.pool), float32 only as in TFLM."""
from __future__ import annotations

from tests.ops.cases._common import pool

DTYPES = ("float32",)


build = pool("l2_pool_2d")
