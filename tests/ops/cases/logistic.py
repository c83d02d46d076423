"""LOGISTIC cases: random single-op models (int8, int16, float32) and hostile int16 quantisation."""
from __future__ import annotations

from tests.ops.cases import _sigmoid_like

DTYPES = _sigmoid_like.DTYPES
POT_SCALES = (2.0 ** -12,)         # TFLM's int16 power-of-two input scale (left shift 0)


def build(rng, dtype):
    return _sigmoid_like.build("logistic", rng, dtype, (1 / 256, -128), POT_SCALES)


HOSTILE_VALID, HOSTILE_INVALID = _sigmoid_like.hostile("logistic", POT_SCALES)
