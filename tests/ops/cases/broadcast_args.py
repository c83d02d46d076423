"""BROADCAST_ARGS cases: one shape a model input (random values over the whole integer range),
the other a constant that broadcasts with any value (1 where the input's entries fall), so TFLM
never meets a clash (it aborts on one)."""
from __future__ import annotations

from tests.tflite_builder import act, const, single_op

DTYPES = ("int32", "int64")


def build(rng, dtype):
    n_in = int(rng.integers(1, 4))
    n_const = int(rng.integers(1, 6))
    values = rng.integers(1, 8, size=n_const)
    values[max(0, n_const - n_in):] = 1                 # under the input's entries: 1
    shape = act("s", (n_in,), dtype)
    other = const("c", values.astype(dtype))
    inputs = [shape, other] if rng.random() < 0.5 else [other, shape]
    return single_op("broadcast_args", inputs, act("y", (), dtype))

