"""ELU cases: random single-op models (int8: a table, any output scale and zero point)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("float32", "int8")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    if dtype == "float32":
        return single_op("elu", [x], act("y", (), dtype))
    return single_op("elu", [x], out_tensor(rng, dtype, x.quant.s * rng.uniform(0.3, 3)))


def _table_beyond_int32():
    x = act("x", (1, 8), "int8", q(1.0, 0))
    return unchecked_single_op("elu", [x], act("y", (), "int8", q(1e-9, 0)))


def _extreme():
    x = act("x", (2, 9), "int8", q(1.0, -128))
    return single_op("elu", [x], act("y", (), "int8", q(2.0 ** -22, 127)))


HOSTILE_VALID = {"elu_int8_tiny_output_scale": _extreme}
HOSTILE_INVALID = {"elu_table_beyond_int32": (_table_beyond_int32, ["'x' scale", "'y' scale", "int32"])}
