"""RESIZE_NEAREST_NEIGHBOR cases: random single-op models (up- and down-sampling, every flag pair)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def resize_case(op, rng, dtype, allow_both=True):
    n, h, w, ch = 1 if rng.random() < 0.8 else 2, *(int(v) for v in rng.integers(1, 9, size=2)), int(rng.integers(1, 6))
    size = tuple(int(v) for v in rng.integers(1, 17, size=2))
    align, half = bool(rng.random() < 0.4), bool(rng.random() < 0.4)
    if align and half and not allow_both:
        half = False
    x = io_tensor(rng, dtype, (n, h, w, ch))
    return single_op(op, [x], act("y", (), dtype, x.quant),
                     {"size": size, "align_corners": align, "half_pixel_centers": half})


def build(rng, dtype):
    return resize_case("resize_nearest_neighbor", rng, dtype)
