"""16x8 FULLY_CONNECTED whose rescale factor TF Lite Micro takes from the product of the input and
weight scales in double: a float32 product is one ulp off for these scale triples, which the int64
rescale's 16-bit rounding of the multiplier (halfway between two values here) turns into an LSB on
some outputs. Found by searching random scales; tinycc must give TFLM's bytes on all of them."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.core import fixedpoint as fp

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

# (input scale, weight scale, output scale), float32 values
TRIPLES = [(0.0005641851457767189, 0.007910105399787426, 0.0048076254315674305),
           (0.000772436847910285, 0.006099455524235964, 0.009946666657924652),
           (0.0009945073397830129, 0.009140072390437126, 0.005491931457072496),
           (0.0008231184328906238, 0.003330003237351775, 0.00010377243597758934)]


@pytest.mark.parametrize("scales", TRIPLES)
def test_the_float32_product_would_round_the_16_bit_multiplier_differently(scales):
    xs, ws, os_ = scales
    single = fp.quantize_multiplier(float(np.float32(xs) * np.float32(ws)) / os_)[0]
    double = fp.quantize_multiplier(xs * ws / os_)[0]
    assert (single + (1 << 15)) >> 16 != (double + (1 << 15)) >> 16


@pytest.mark.parametrize("scales", TRIPLES)
def test_equals_tflm(scales):
    xs, ws, os_ = scales
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, (4, 16)).astype(np.int8)
    b = rng.integers(-1000, 1000, 4).astype(np.int64)
    model = single_op("fully_connected", [act("x", (2, 16), "int16", q(xs, 0)), const("w", w, q(ws, 0)),
                                          const("b", b, q(float(np.float32(xs) * np.float32(ws)), 0))],
                      act("y", (), "int16", q(os_, 0)), {"activation": "none"})
    for seed in range(6):
        assert_matches_tflm(model, samples=1, seed=seed, c=seed == 0)
