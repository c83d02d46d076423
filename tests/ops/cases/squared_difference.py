"""SQUARED_DIFFERENCE cases: independently quantised inputs (int16 symmetric), an output scale
around the square of the inputs' range; float32 and full-range (wrapping) int32."""
from __future__ import annotations

from tests.ops.cases._binary_fn import shapes, tensor
from tests.tflite_builder import q, random_zp, single_op

DTYPES = ("int8", "int16", "int32", "float32")


def build(rng, dtype):
    sa, sb = shapes(rng)
    a, b = tensor(rng, "a", sa, dtype), tensor(rng, "b", sb, dtype)
    out_q = None
    if dtype in ("int8", "int16"):
        top = 127 if dtype == "int8" else 32767
        span = max(a.quant.s, b.quant.s) * top
        out_q = q(float(span * span / top * rng.uniform(0.05, 1.0)), random_zp(rng, dtype))
    return single_op("squared_difference", [a, b], tensor(rng, "y", (), dtype, out_q))


def _hostile(scale_a, scale_out, dtype="int8", zp=1):
    def build():
        from tests.ops.cases import unchecked_single_op
        from tests.tflite_builder import act
        return unchecked_single_op("squared_difference", [act("a", (2, 3), dtype, q(scale_a, zp)),
                                                          act("b", (3,), dtype, q(0.02, 0))],
                                   act("y", (), dtype, q(scale_out, 0)))
    return build


HOSTILE_VALID = {"squared_difference_tiny_output_scale": _hostile(0.5, 1e-6),
                 "squared_difference_huge_output_scale": _hostile(1e-3, 1e6)}
HOSTILE_INVALID = {"squared_difference_output_scale_needs_big_shift": (_hostile(0.5, 1e-15), ["'y'", "too large"]),
                   "squared_difference_int16_zero_point": (_hostile(0.5, 0.01, "int16", 5), ["'a'", "zero point 5"])}
