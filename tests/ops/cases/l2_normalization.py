"""L2_NORMALIZATION cases: random single-op models (int8 output at TFLite's fixed 1/128, 0)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    shape = random_shape(rng)
    if rng.random() < 0.3:
        shape = (*shape[:-1], int(rng.integers(1, 200)))     # long rows: big sums of squares
    out = act("y", (), dtype, q(1 / 128, 0) if dtype == "int8" else None)
    return single_op("l2_normalization", [io_tensor(rng, dtype, shape)], out)


def _l2(out_quant=(1 / 128, 0), zp=5, shape=(2, 6), activation="none"):
    x = act("x", shape, "int8", q(0.05, zp))
    return unchecked_single_op("l2_normalization", [x], act("y", (), "int8", q(*out_quant)),
                               {"activation": activation})


HOSTILE_VALID = {
    "l2_normalization_zp_-128_long_rows": lambda: _l2(zp=-128, shape=(2, 4000)),
    "l2_normalization_one_element_rows": lambda: _l2(zp=127, shape=(5, 1)),
}
HOSTILE_INVALID = {
    "l2_normalization_out_scale_1_256": (lambda: _l2(out_quant=(1 / 256, -128)), ["'y'", "1/128"]),
    "l2_normalization_relu": (lambda: _l2(activation="relu"), ["relu"]),
    "l2_normalization_rows_40000": (lambda: _l2(shape=(1, 40000)), ["40000"]),
}
