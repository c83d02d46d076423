"""ABS of an int16 tensor without quantisation parameters: TF Lite Micro takes it as plain integers
(AbsEval's std::abs, cast back to int16, so -32768 stays -32768) and ignores the output's scale;
tinycc's reference interpreter and c backend give its bytes. A quantised int16 input with an
unquantised output is refused, as TFLM's Prepare refuses it."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.cases._common import unchecked_single_op
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op

pytest.importorskip("tflite_micro", reason="TF Lite Micro is the oracle")

EDGES = np.array([[-32768, -32767, -12345, -1, 0, 1, 12345, 32767]], np.int16)


@pytest.mark.parametrize("out_quant", [None, q(0.25, 0)], ids=["plain_output", "quantised_output"])
def test_edges_equal_tflm(out_quant):
    model = single_op("abs", [act("x", (1, 8), "int16")], act("y", (), "int16", out_quant))
    g = assert_matches_tflm(model, inputs=[EDGES], samples=1, c=True)
    from tinycc.core import interpreter
    y = np.asarray(interpreter.run(g, [EDGES])[0]).reshape(-1)
    assert y.tolist() == [-32768, 32767, 12345, 1, 0, 1, 12345, 32767]


def test_quantised_input_needs_a_quantised_output():
    from pathlib import Path

    from tinycc.core.errors import TinyccError
    from tinycc.core.validate import validate
    from tinycc.plugins.importers.tflite import load_tflite
    model = unchecked_single_op("abs", [act("x", (1, 8), "int16", q(0.01, 0))], act("y", (), "int16"))
    with pytest.raises(TinyccError) as err:
        validate(load_tflite(Path("m.tflite"), model))
    text = err.value.render()
    assert "'y'" in text and "int16" in text and "no quantisation parameters" in text
