"""ARG_MIN cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases.arg_max import DTYPES, _bad_axis, arg_case  # noqa: F401  (DTYPES: the same as ARG_MAX)

build = arg_case("arg_min")

HOSTILE_INVALID = {
    "arg_min_axis_3_of_2d": (lambda: _bad_axis("arg_min"), ["axis 3", "2-D"]),
}
