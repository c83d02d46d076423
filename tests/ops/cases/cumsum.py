"""CUMSUM cases: random shapes, axis (negative too), exclusive and reverse; int8 with a random output
scale (long axes wrap TFLM's int32 accumulator), and the scale ratio prepare refuses."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, random_zp, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    if rng.random() < 0.2:                              # a long axis: the int8 accumulator wraps
        shape = (*shape[:-1], int(rng.integers(20, 300)))
    axis = int(rng.integers(-len(shape), len(shape)))
    x = io_tensor(rng, dtype, shape)
    out = act("y", (), dtype, None if dtype == "float32" else
              q(x.quant.s * float(rng.uniform(0.5, 40)), random_zp(rng, dtype)))
    return single_op("cumsum", [x], out, {"axis": axis, "exclusive": bool(rng.random() < 0.5),
                                          "reverse": bool(rng.random() < 0.5)})


def _ratio(out_scale):
    def make():
        return unchecked_single_op("cumsum", [act("x", (2, 3), "int8", q(1.0, 0))],
                                   act("y", (), "int8", q(out_scale, 0)), {"axis": 1})
    return make


HOSTILE_VALID = {
    "cumsum_scale_ratio_just_below_2^19": _ratio(2.0 ** -18.9),    # the output multiplier just below 1
    "cumsum_tiny_output_multiplier": _ratio(1e6),
}
HOSTILE_INVALID = {
    "cumsum_scale_ratio_2^19": (_ratio(2.0 ** -19), ["rescale factor", "(0, 1)"]),
}
