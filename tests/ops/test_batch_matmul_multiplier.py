"""BATCH_MATMUL's rescale factor as TF Lite Micro's Prepare takes it: the product of the lhs and rhs
scales in double over the output scale. A float32 product is one ulp off for these scale triples
(found by searching random scales): for int16 the int64 rescale's 16-bit rounding of the multiplier
then moves outputs by an LSB; for int8 the 31-bit multipliers differ by one, which moves the
output of the pinned sums (lhs . rhs = `acc`) by an LSB. tinycc must give TFLM's bytes on all."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.core import fixedpoint as fp
from tinycc.core.ops import common as c
from tinycc.plugins.importers.tflite import load_tflite

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

# (lhs scale, rhs scale, output scale), float32 values
TRIPLES16 = [(0.00044801426702179015, 0.00022370120859704912, 0.00010542738164076582),
             (0.009647604078054428, 0.000642553495708853, 0.006452941335737705),
             (0.0032333522103726864, 0.0002596773556433618, 0.0032673163805156946),
             (0.0025654493365436792, 0.0018839671975001693, 0.003214015858247876)]
# int8: (lhs scale, rhs scale, output scale, the sum of products whose output the float32 product moves)
TRIPLES8 = [(0.03767725080251694, 0.021913975477218628, 0.3176039457321167, -37889),
            (0.04300043731927872, 0.012535756453871727, 2.7475686073303223, -583620)]


def _multipliers(ls, rs, os_):
    return (fp.quantize_multiplier(float(np.float32(ls) * np.float32(rs)) / os_),
            fp.quantize_multiplier(ls * rs / os_))


@pytest.mark.parametrize("scales", TRIPLES16)
def test_int16_equals_tflm(scales):
    ls, rs, os_ = scales
    (single, _), (double, _) = _multipliers(ls, rs, os_)
    assert (single + (1 << 15)) >> 16 != (double + (1 << 15)) >> 16      # the float32 product would differ
    model = single_op("batch_matmul", [act("lhs", (4, 16), "int16", q(ls, 0)), act("rhs", (16, 8), "int16", q(rs, 0))],
                      act("y", (), "int16", q(os_, 0)))
    g = load_tflite(Path("t.tflite"), model)
    from tinycc.core.ops import batch_matmul
    assert batch_matmul.prepare(g.nodes[0], g)["multiplier"] == double
    assert_matches_tflm(model, samples=10, seed=0, c=True)


def _sum_to(acc: int) -> tuple[np.ndarray, np.ndarray]:
    """A 1 x k lhs and a k x 1 rhs whose product is `acc` (127 x 127 terms, then 127 k + r)."""
    n, rem = divmod(abs(acc), 127 * 127)
    k, r = divmod(rem, 127)
    sign = 1 if acc >= 0 else -1
    lhs = np.array([[127 * sign] * n + [k * sign, r * sign]], np.int8)
    rhs = np.array([127] * (n + 1) + [1], np.int8).reshape(-1, 1)
    assert int((lhs.astype(np.int64) @ rhs.astype(np.int64))[0, 0]) == acc
    return lhs, rhs


@pytest.mark.parametrize("case", TRIPLES8)
def test_int8_equals_tflm(case):
    ls, rs, os_, acc = case
    (ms, ss), (md, sd) = _multipliers(ls, rs, os_)
    single = c.requantize(np.array([acc]), ms, ss, 0, -128, 127, "int8")
    double = c.requantize(np.array([acc]), md, sd, 0, -128, 127, "int8")
    assert single[0] != double[0]                                        # the float32 product would differ
    lhs, rhs = _sum_to(acc)
    for rhs_t in (const("rhs", rhs, q(rs, 0)), act("rhs", rhs.shape, "int8", q(rs, 0))):
        model = single_op("batch_matmul", [act("lhs", lhs.shape, "int8", q(ls, 0)), rhs_t],
                          act("y", (), "int8", q(os_, 0)))
        inputs = [lhs] if rhs_t.data is not None else [lhs, rhs]
        g = assert_matches_tflm(model, c=True, inputs=inputs)
        from tinycc.core import interpreter
        assert int(np.asarray(interpreter.run(g, inputs)[0]).ravel()[0]) == int(double[0])
