"""GREATER cases: independently quantised inputs, some sharing one quantisation (_binary_fn.to_bool)."""
from __future__ import annotations

from tests.ops.cases._binary_fn import to_bool
from tinycc.core.ops.greater import DTYPES  # noqa: F401  (every dtype tinycc declares is checked against TFLM)

build = to_bool("greater")


def _hostile(scale_a, scale_b):
    def build():
        from tests.ops.cases import unchecked_single_op
        from tests.tflite_builder import act, q
        return unchecked_single_op("greater", [act("a", (2, 3), "int8", q(scale_a, 4)),
                                               act("b", (3,), "int8", q(scale_b, -7))], act("y", (), "bool"))
    return build


# an input scale whose multiplier flushes to zero (every value compares as 0) is TFLM's defined behaviour;
# a scale of 1 or more aborts TFLM's QuantizeMultiplierSmallerThanOneExp: refused, naming the tensor
HOSTILE_VALID = {"greater_tiny_input_scale": _hostile(1e-12, 0.05), "greater_scale_near_one": _hostile(0.999, 0.5)}
HOSTILE_INVALID = {"greater_input_scale_one": (_hostile(1.0, 0.05), ["'a'", "scale 1"]),
                   "greater_input_scale_large": (_hostile(0.05, 300.0), ["'b'", "scale 300"])}
