"""EQUAL cases: independently quantised inputs, some sharing one quantisation (_binary_fn.to_bool)."""
from __future__ import annotations

from tests.ops.cases._binary_fn import to_bool
from tinycc.core.ops.equal import DTYPES  # noqa: F401  (every dtype tinycc declares is checked against TFLM)

build = to_bool("equal")
