"""SPLIT cases: random single-op models (equal parts along a constant axis), and the splits
prepare refuses."""
from __future__ import annotations

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    shape = list(random_shape(rng))
    axis = int(rng.integers(-len(shape), len(shape)))
    n = int(rng.integers(1, 4))
    shape[axis] = n * int(rng.integers(1, 4))
    quant = shared_quant(rng, dtype)
    x = act("x", shape, dtype, quant)
    return multi_op("split", [x], [act(f"y{k}", (), dtype, quant) for k in range(n)], {"axis": axis})


def _axis_out_of_range():
    x = act("x", (2, 4), "int8", q(0.1, 0))
    outs = [act(f"y{k}", (2, 2), "int8", q(0.1, 0)) for k in range(2)]
    return multi_op("split", [x], outs, {"axis": 2, "num_splits": 2}, validated=False)


def _requantising():
    x = act("x", (2, 4), "int8", q(0.1, 0))
    outs = [act("y0", (2, 2), "int8", q(0.1, 0)), act("y1", (2, 2), "int8", q(0.2, 0))]
    return multi_op("split", [x], outs, {"axis": 1, "num_splits": 2}, validated=False)


HOSTILE_INVALID = {
    "split_axis_out_of_range": (_axis_out_of_range, ["axis 2 is out of range", "2-D"]),
    "split_outputs_requantise": (_requantising, ["'y1'", "quantised differently", "cannot rescale"]),
}
