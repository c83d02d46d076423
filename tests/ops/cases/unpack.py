"""UNPACK cases: random single-op models, one output per index along the axis."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    quant = shared_quant(rng, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    x = act("x", shape, dtype, quant)
    outs = [act(f"y{k}", (), dtype, quant) for k in range(shape[axis])]
    return multi_op("unpack", [x], outs, {"axis": axis})
