"""MUL cases: the shared binary builder (_common.binary)."""
from __future__ import annotations

from tests.ops.cases._common import binary

DTYPES = ("int8", "int16", "int32", "float32")


build = binary("mul")
