"""REDUCE_MAX cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.ops.cases.sum import random_axes
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def extreme_case(op):
    def build(rng, dtype):
        shape = random_shape(rng)
        x = io_tensor(rng, dtype, shape)
        return single_op(op, [x], act("y", (), dtype, x.quant),
                         {"axes": random_axes(rng, shape), "keep_dims": bool(rng.random() < 0.5)})
    return build


build = extreme_case("reduce_max")

HOSTILE_INVALID = {
    "reduce_max_quant_differs": (
        lambda: unchecked_single_op("reduce_max", [act("x", (2, 3), "int8", q(0.1, 3))],
                                    act("y", (), "int8", q(0.2, 3)), {"axes": (1,)}),
        ["'x'", "'y'", "quantisation differ"]),
}
