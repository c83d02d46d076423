"""LOGICAL_AND cases: random bool operands, broadcast (_binary_fn.to_bool)."""
from __future__ import annotations

from tests.ops.cases._binary_fn import to_bool

DTYPES = ("bool",)
build = to_bool("logical_and")
