"""SELECT_V2 cases: a bool condition and x, y broadcast against each other (up to rank 4), x, y and
the output in one quantisation."""
from __future__ import annotations

from tests.ops.cases._binary_fn import shapes, tensor
from tests.tflite_builder import act, q, random_scale, random_zp, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    sa, sb = shapes(rng)
    order = [sa, sb, sa if rng.random() < 0.5 else sb]
    rng.shuffle(order)
    quant = q(random_scale(rng), random_zp(rng, dtype)) if dtype != "float32" else None
    cond = act("c", order[0], "bool")
    x, y = tensor(rng, "x", order[1], dtype, quant), tensor(rng, "y", order[2], dtype, quant)
    return single_op("select_v2", [cond, x, y], tensor(rng, "out", (), dtype, quant))
