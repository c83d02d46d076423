"""PAD cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    x = io_tensor(rng, dtype, shape)
    paddings = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in shape)
    attrs = {"paddings": paddings}
    if rng.random() < 0.4:
        attrs["value"] = float(rng.normal()) if dtype == "float32" else int(rng.integers(-100, 100))
    return single_op("pad", [x], act("y", (), dtype, x.quant), attrs)
