"""SOFTMAX cases: random single-op models."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "int16", "float32")


def build(rng, dtype):
    x = io_tensor(rng, dtype, random_shape(rng))
    out = {"float32": act("y", (), dtype), "int8": act("y", (), "int8", q(1 / 256, -128)),
           "int16": act("y", (), "int16", q(1 / 32768, 0))}[dtype]
    return single_op("softmax", [x], out, {"beta": float(rng.choice([1.0, 0.5, 2.0, rng.uniform(0.1, 3)]))})


def _softmax16(sx, beta=1.0, out_quant=(1 / 32768, 0), shape=(3, 40)):
    from tests.ops.cases._common import unchecked_single_op
    return unchecked_single_op("softmax", [act("x", shape, "int16", q(sx, 0))], act("y", (), "int16", q(*out_quant)),
                               {"beta": beta})


HOSTILE_VALID = {
    "softmax_int16_in_scale_1e-9": lambda: _softmax16(1e-9),                  # every difference rescales to 0
    "softmax_int16_shift_14": lambda: _softmax16(2.0 ** 13 * 10 / 65535),     # the largest left shift, 14
    "softmax_int16_long_rows": lambda: _softmax16(0.001, shape=(1, 5000)),
}
HOSTILE_INVALID = {
    "softmax_int16_shift_15": (lambda: _softmax16(2.0 ** 14 * 10 / 65535), ["'x'", "left shift of 15"]),
    "softmax_int16_out_scale_1_256": (lambda: _softmax16(0.01, out_quant=(1 / 256, 0)), ["int16 softmax output",
                                                                                      "0.00390625"]),
}
