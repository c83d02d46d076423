"""ARG_MAX / ARG_MIN on inputs with ties (and, for float32, NaN and infinities): the reference and
the c backend pick the index TF Lite Micro picks (the first extreme; a NaN never wins)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op


@pytest.mark.parametrize("op", ["arg_max", "arg_min"])
@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_ties_pick_the_first_index_as_tflm(op, dtype):
    rng = np.random.default_rng(3)
    x = act("x", (3, 7, 5), dtype, q(0.1, 2) if dtype == "int8" else None)
    model = single_op(op, [x], act("y", (), "int32"), {"axis": 1})
    data = rng.integers(-2, 3, size=(3, 7, 5))          # five values over seven places: many ties
    if dtype == "float32":
        data = data.astype(np.float32)
        data[0, 0, :] = np.nan                           # a NaN first: index 0 stays
        data[1, 3, :] = np.nan                           # a NaN later: never chosen
        data[2, 2, :2], data[2, 5, 2:] = np.inf, -np.inf
    else:
        data = data.astype(np.int8)
        data[0, :, 0] = 127                              # all equal: index 0
    g = assert_matches_tflm(model, inputs=[data], c=True)
    assert g.tensors[g.outputs[0]].shape == (3, 5)
