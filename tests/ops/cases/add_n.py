"""ADD_N cases: 2 to 5 same-shape operands (sometimes a constant among them), float32, and int8
with one input quantisation (TFLM's Prepare demands it) and a random output quantisation."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._binary_fn import tensor
from tests.ops.cases._common import unchecked_single_op
from tests.tflite_builder import act, const, q, random_int, random_scale, random_zp, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = tuple(rng.integers(1, 6, int(rng.integers(1, 5))).tolist())
    count = int(rng.integers(2, 6))
    if dtype == "int8":
        quant = q(random_scale(rng), random_zp(rng, dtype))
        inputs = [act(f"x{k}", shape, dtype, quant) for k in range(count)]
        if rng.random() < 0.3:
            inputs[-1] = const(f"x{count - 1}", random_int(rng, shape, dtype), quant)
        out = q(float(quant.s) * count * float(rng.uniform(0.3, 2.0)), random_zp(rng, dtype))
        return single_op("add_n", inputs, act("y", (), dtype, out))
    inputs = [tensor(rng, f"x{k}", shape, dtype) for k in range(count)]
    if rng.random() < 0.3:
        inputs[-1] = const(f"x{count - 1}", rng.uniform(-4, 4, shape).astype(np.float32))
    return single_op("add_n", inputs, tensor(rng, "y", (), dtype))


def _many_extreme_inputs():
    """40 inputs at zero point 127: the int32 sum of the shifted terms (about -2.7e9) wraps to about
    +1.6e9, which the output scale 1.3 shows as about +118 instead of a clamped -128, as TFLM does."""
    quant = q(0.05, 127)
    return single_op("add_n", [act(f"x{k}", (8,), "int8", quant) for k in range(40)],
                     act("y", (), "int8", q(1.3, 0)))


def _mixed_quant():
    return unchecked_single_op("add_n", [act("a", (4,), "int8", q(0.1, 0)), act("b", (4,), "int8", q(0.2, 0))],
                               act("y", (), "int8", q(0.3, 0)))


HOSTILE_VALID = {"add_n_int8_wrapping_sum": _many_extreme_inputs}
HOSTILE_INVALID = {"add_n_int8_mixed_quantisation": (_mixed_quant, ["'b'", "quantised differently"])}
