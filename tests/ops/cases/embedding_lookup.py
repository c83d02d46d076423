"""EMBEDDING_LOOKUP cases: a random value table (2-4 dimensions) and a constant int32 lookup with
repeats; int8 half the time hybrid (int8 table -> float32 output, zero point 0); and the lookups and
quantisation prepare refuses."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import unchecked_single_op
from tests.tflite_builder import act, const, q, random_scale, random_zp, single_op

DTYPES = ("int8", "float32")


def build(rng, dtype):
    rank = int(rng.integers(2, 5))
    shape = tuple(int(d) for d in rng.integers(1, 7, size=rank))
    lookup = const("lookup", rng.integers(0, shape[0], size=int(rng.integers(1, 9))).astype(np.int32))
    if dtype == "float32":
        return single_op("embedding_lookup", [act("value", shape, dtype), lookup], act("y", (), dtype))
    if rng.random() < 0.5:
        return single_op("embedding_lookup", [act("value", shape, "int8", q(random_scale(rng), 0)), lookup],
                         act("y", (), "float32"))
    quant = q(random_scale(rng), random_zp(rng, "int8"))
    out = quant if rng.random() < 0.5 else q(random_scale(rng), random_zp(rng, "int8"))   # copied, not rescaled
    return single_op("embedding_lookup", [act("value", shape, "int8", quant), lookup], act("y", (), "int8", out))


def _refused(lookup, zp=0):
    def make():
        return unchecked_single_op("embedding_lookup", [act("value", (3, 4), "int8", q(0.1, zp)),
                                                        const("lookup", np.array(lookup, np.int32))],
                                   act("y", (), "float32"))
    return make


HOSTILE_INVALID = {
    "embedding_lookup_row_out_of_range": (_refused([0, 3]), ["lookup 3", "outside [0, 3)", "'lookup'"]),
    "embedding_lookup_negative_row": (_refused([-1]), ["lookup -1", "outside [0, 3)"]),
    "embedding_lookup_hybrid_zero_point": (_refused([1], zp=2), ["'value'", "zero point 2"]),
}
