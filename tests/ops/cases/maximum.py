"""MAXIMUM cases: inputs and output share one quantisation (_binary_fn.shared_quant)."""
from __future__ import annotations

from tests.ops.cases._binary_fn import shared_quant

DTYPES = ("int8", "int16", "int32", "int64", "float32")


build = shared_quant("maximum")
