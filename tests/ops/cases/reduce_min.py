"""REDUCE_MIN cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases.reduce_max import DTYPES, extreme_case  # noqa: F401  (DTYPES: the same as REDUCE_MAX)

build = extreme_case("reduce_min")
