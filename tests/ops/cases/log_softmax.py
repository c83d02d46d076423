"""LOG_SOFTMAX cases: random single-op models (int8 output at TFLM's required 16/256, 127)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    if rng.random() < 0.3:
        shape = (*shape[:-1], int(rng.integers(1, 300)))
    out = act("y", (), dtype, q(16 / 256, 127) if dtype == "int8" else None)
    return single_op("log_softmax", [io_tensor(rng, dtype, shape)], out)


def _log_softmax(sx=0.1, out_quant=(16 / 256, 127), shape=(2, 10)):
    return unchecked_single_op("log_softmax", [act("x", shape, "int8", q(sx, 3))], act("y", (), "int8", q(*out_quant)))


HOSTILE_VALID = {
    "log_softmax_in_scale_2^-25": lambda: _log_softmax(sx=2.0 ** -25),
    "log_softmax_in_scale_just_above_2^-26": lambda: _log_softmax(sx=2.0 ** -26 * 1.001),
    "log_softmax_in_scale_1e6": lambda: _log_softmax(sx=1e6),
    "log_softmax_rows_4095": lambda: _log_softmax(shape=(1, 4095)),
}
HOSTILE_INVALID = {
    "log_softmax_in_scale_1e-9": (lambda: _log_softmax(sx=1e-9), ["'x'", "1e-09"]),
    # exactly 2^-26: the reverse divisor is 1, which TFLM's Prepare CHECKs against (it aborts)
    "log_softmax_in_scale_2^-26": (lambda: _log_softmax(sx=2.0 ** -26), ["'x'", "divisor"]),
    "log_softmax_out_scale_1_256": (lambda: _log_softmax(out_quant=(1 / 256, -128)), ["'y'", "16/256"]),
    "log_softmax_rows_5000": (lambda: _log_softmax(shape=(1, 5000)), ["5000"]),
}
