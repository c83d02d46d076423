"""EMBEDDING_LOOKUP with a lookup computed at run time (a model input): in range, the reference and
the c backend (also under ASan + UBSan) equal TF Lite Micro for the plain (float32, int8) and the
hybrid (int8 -> float32) paths, with a constant table or a table that is itself an input; out of
range, TFLM fails the invoke, the reference raises a TinyccError naming the value, and the C's
NAME_invoke returns NAME_ERROR_INDEX_OUT_OF_RANGE without reading or writing out of bounds (checked
under ASan + UBSan)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases._movement import multi_op
from tests.ops.check import assert_matches_tflm, random_inputs
from tests.ops.test_gather_runtime import probe_statuses
from tests.tflite_builder import act, const, q, random_scale, random_zp
from tests.tflm import run_tflm
from tinycc.backends.c import status
from tinycc.core import interpreter
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

KINDS = ("float32", "int8", "hybrid")


def _quant(rng, kind):
    if kind == "float32":
        return "float32", None, "float32", None
    if kind == "hybrid":
        return "int8", q(random_scale(rng), 0), "float32", None
    quant = q(random_scale(rng), random_zp(rng, "int8"))
    return "int8", quant, "int8", quant


def runtime_model(rng, kind, table_const):
    """A random EMBEDDING_LOOKUP whose lookup is a model input (the table a constant or an input)."""
    shape = tuple(int(d) for d in rng.integers(1, 7, size=int(rng.integers(2, 5))))
    count = int(rng.integers(1, 9))
    dtype, quant, out_dtype, out_quant = _quant(rng, kind)
    if table_const:
        data = (rng.normal(0, 1, shape).astype(np.float32) if dtype == "float32"
                else rng.integers(-128, 128, shape).astype(np.int8))
        value = const("value", data, quant)
    else:
        value = act("value", shape, dtype, quant)
    model = multi_op("embedding_lookup", [value, act("lookup", (count,), "int32")],
                     [act("y", (count, *shape[1:]), out_dtype, out_quant)])
    return model, shape[0], count


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(4))
def test_runtime_lookup_equals_tflm(kind, seed):
    rng = np.random.default_rng(3000 + seed)
    model, rows, count = runtime_model(rng, kind, table_const=seed % 2 == 0)
    g = load_tflite(Path("test.tflite"), model)
    assert g.tensors[g.nodes[0].inputs[1]].data is None          # the lookup really is computed at run time
    xs = random_inputs(g, rng)
    xs[-1] = rng.integers(0, rows, size=count).astype(np.int32)
    assert_matches_tflm(model, inputs=xs, c=True, sanitize=seed < 2)


@pytest.mark.parametrize("kind", KINDS)
def test_out_of_range_runtime_lookup_fails_like_tflm(tmp_path, kind):
    dtype, quant, out_dtype, out_quant = _quant(np.random.default_rng(1), kind)
    model = multi_op("embedding_lookup", [act("value", (3, 4), dtype, quant), act("lookup", (2,), "int32")],
                     [act("y", (2, 4), out_dtype, out_quant)])
    x = np.arange(12).reshape(3, 4).astype(np.float32 if dtype == "float32" else np.int8)
    for bad in ([0, 3], [-1, 0], [2, 2147483647]):
        with pytest.raises(RuntimeError):          # TFLM: "EMBEDDING_LOOKUP: index out of bounds"
            run_tflm(model, [x, np.array(bad, np.int32)])
    g = load_tflite(Path("test.tflite"), model)
    with pytest.raises(TinyccError) as err:
        interpreter.run(g, [x, np.array([2, 3], np.int32)])
    text = err.value.render()
    assert "lookup 3" in text and "entry 1 of 'lookup'" in text and "outside [0, 3)" in text and "run time" in text
    assert "NAME_ERROR_INDEX_OUT_OF_RANGE" in text
    got = interpreter.run(g, [x, np.array([2, 0], np.int32)])[0]
    want = x[[2, 0]].astype(np.float32) * np.float32(quant.s) if kind == "hybrid" else x[[2, 0]]
    np.testing.assert_array_equal(got, want)
    code = status.INDEX_OUT_OF_RANGE
    ctype = "float" if dtype == "float32" else "int8_t"
    statuses = probe_statuses(g, tmp_path, ctype, 32, [[2, 0], [0, 3], [-1, 0], [2, 2147483647], [-2147483647 - 1, 0]])
    assert f"#define MODEL_ERROR_INDEX_OUT_OF_RANGE {code}" in (tmp_path / "model.h").read_text()
    assert statuses == [0, code, code, code, code, code]
