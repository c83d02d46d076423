"""MIRROR_PAD cases: random single-op models (REFLECT and SYMMETRIC, paddings up to their
limits), and the paddings prepare refuses (TFLM would read outside the input)."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    mode = str(rng.choice(["reflect", "symmetric"]))
    most = [d - (mode == "reflect") for d in shape]
    pads = tuple((int(rng.integers(0, m + 1)), int(rng.integers(0, m + 1))) for m in most)
    quant = shared_quant(rng, dtype)
    return single_op("mirror_pad", [act("x", shape, dtype, quant)], act("y", (), dtype, quant),
                     {"paddings": pads, "mode": mode})


def _too_wide():
    x = act("x", (1, 3), "int8", q(0.1, 0))
    return multi_op("mirror_pad", [x], [act("y", (1, 9), "int8", q(0.1, 0))],
                    {"paddings": ((0, 0), (3, 3)), "mode": "reflect"}, validated=False)


HOSTILE_INVALID = {
    "mirror_pad_wider_than_the_input": (_too_wide, ["paddings (3, 3) on axis 1", "outside [0, 2]", "reflect"]),
}
