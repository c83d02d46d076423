"""TANH cases: random single-op models (int8, int16, float32) and hostile int16 quantisation."""
from __future__ import annotations

from tests.ops.cases import _sigmoid_like

DTYPES = _sigmoid_like.DTYPES
POT_SCALES = (2.0 ** -12, 2.0 ** -11)        # TFLM's int16 power-of-two input scales (left shift 0 or 1)


def build(rng, dtype):
    return _sigmoid_like.build("tanh", rng, dtype, (1 / 128, 0), POT_SCALES)


HOSTILE_VALID, HOSTILE_INVALID = _sigmoid_like.hostile("tanh", POT_SCALES)
