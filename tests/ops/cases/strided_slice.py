"""STRIDED_SLICE cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op
from tinycc.core.errors import TinyccError

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    for _ in range(100):         # draw until the slice is non-empty (empty slices are refused)
        try:
            return draw(rng, dtype)
        except TinyccError:
            continue
    raise AssertionError("no non-empty slice drawn")


def draw(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape)
    rank = len(shape)
    begin = tuple(int(rng.integers(-d, d)) for d in shape)
    end = tuple(int(rng.integers(-d, d + 1)) for d in shape)
    shrink = int(rng.integers(0, 1 << rank)) if rng.random() < 0.3 else 0
    strides = tuple(1 if shrink & (1 << k) else int(rng.choice([1, 1, 2, 3, -1, -2])) for k in range(rank))
    attrs = {"begin": begin, "end": end, "strides": strides,
             "begin_mask": int(rng.integers(0, 1 << rank)), "end_mask": int(rng.integers(0, 1 << rank)),
             "shrink_axis_mask": shrink,
             "ellipsis_mask": 0, "new_axis_mask": 0, "offset": False}
    return single_op("strided_slice", [x], act("y", (), dtype, x.quant), attrs)
