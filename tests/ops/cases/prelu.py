"""PRELU cases: alpha broadcast against x (a constant per-channel slope, or a second activation)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._binary_fn import tensor
from tests.tflite_builder import const, q, random_int, random_scale, random_zp, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = tuple(rng.integers(1, 6, int(rng.integers(1, 5))).tolist())
    x = tensor(rng, "x", shape, dtype)
    a_shape = shape[-int(rng.integers(1, len(shape) + 1)):]
    a_shape = tuple(1 if rng.random() < 0.4 else d for d in a_shape)
    if rng.random() < 0.5:
        if dtype == "float32":
            alpha = const("alpha", rng.uniform(-1, 1, a_shape).astype(np.float32))
        else:
            alpha = const("alpha", random_int(rng, a_shape, "int8"), q(random_scale(rng, 1e-3, 0.05),
                                                                         random_zp(rng, "int8")))
    else:
        alpha = tensor(rng, "alpha", a_shape, dtype)
    out_q = q(float(x.quant.s * rng.uniform(0.3, 2)), random_zp(rng, dtype)) if dtype == "int8" else None
    return single_op("prelu", [x, alpha], tensor(rng, "y", (), dtype, out_q))


def _hostile(out_scale):
    def build():
        from tests.ops.cases import unchecked_single_op
        from tests.tflite_builder import act
        alpha = const("alpha", np.array([-100, 3, 127], np.int8), q(0.01, 2))
        return unchecked_single_op("prelu", [act("x", (2, 3), "int8", q(0.5, 4)), alpha], act("y", (), "int8",
                                                                                               q(out_scale, -1)))
    return build


HOSTILE_VALID = {"prelu_tiny_multipliers": _hostile(1e12), "prelu_large_multipliers": _hostile(1e-9)}
HOSTILE_INVALID = {"prelu_output_scale_needs_big_shift": (_hostile(1e-12), ["'y'", "too large"])}
