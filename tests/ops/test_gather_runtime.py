"""GATHER and GATHER_ND with positions / index rows computed at run time (a model input, as a WHILE
loop's counter is): in range, the reference and the c backend (also under ASan + UBSan) equal TF Lite
Micro; out of range, TFLM fails the invoke, the reference raises a TinyccError naming the value, and the
C's NAME_invoke returns NAME_ERROR_INDEX_OUT_OF_RANGE without reading or writing out of bounds (checked
under ASan + UBSan). GATHER_ND follows TFLM's flat-position check: an index past its own dimension whose
row still lands inside the params reads what TFLM reads."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.ops.cases._common import random_shape
from tests.ops.cases._movement import multi_op, shared_quant
from tests.ops.check import SANITIZE, SANITIZER_ENV, assert_matches_tflm, random_inputs
from tests.tflite_builder import act, q
from tests.tflm import run_tflm
from tinycc.backends.c import status
from tinycc.core import interpreter
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

CC = os.environ.get("CC", "cc")


def runtime_case(rng, dtype):
    """A random GATHER whose positions are the model's second input, and in-range positions for it."""
    shape = random_shape(rng)
    axis = int(rng.integers(0, len(shape)))
    bd = int(rng.integers(0, axis + 1)) if rng.random() < 0.4 else 0
    pos_shape = (*shape[:bd], *(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 3)))))
    quant = shared_quant(rng, dtype)
    out_shape = (*shape[:axis], *pos_shape[bd:], *shape[axis + 1:])
    model = multi_op("gather", [act("x", shape, dtype, quant), act("positions", pos_shape, "int32")],
                     [act("y", out_shape, dtype, quant)], {"axis": axis, "batch_dims": bd})
    return model, shape[axis], pos_shape


@pytest.mark.parametrize("dtype", ["int8", "float32"])
@pytest.mark.parametrize("seed", range(6))
def test_runtime_positions_equal_tflm(dtype, seed):
    rng = np.random.default_rng(1000 + seed)
    model, axis_size, pos_shape = runtime_case(rng, dtype)
    g = load_tflite(Path("test.tflite"), model)
    xs = random_inputs(g, rng)
    xs[1] = rng.integers(0, axis_size, size=pos_shape).astype(np.int32)
    assert_matches_tflm(model, inputs=xs, c=True, sanitize=seed == 0)


def _out_of_range_model():
    quant = q(0.1, 0)
    return multi_op("gather", [act("x", (3, 4), "int8", quant), act("positions", (2,), "int32")],
                    [act("y", (3, 2), "int8", quant)], {"axis": 1, "batch_dims": 0})


PROBE = r"""
#include <stdio.h>
#include <stdint.h>
#include "model.h"
int main(void) {
    static %(ctype)s x[12], y[%(ny)d];
    static int32_t idx[%(count)d][%(width)d] = %(rows)s;
    int k;
    for (k = 0; k < %(count)d; ++k) {
        const void *inputs[2];
        void *outputs[1];
        inputs[0] = x; inputs[1] = idx[k]; outputs[0] = y;
        printf("%%d ", model_invoke(inputs, outputs));
    }
    printf("%%d\n", MODEL_ERROR_INDEX_OUT_OF_RANGE);
    return 0;
}
"""


def probe_statuses(g, tmp_path, ctype: str, ny: int, rows: list[list[int]]) -> list[int]:
    """model_invoke's status for each index vector of `rows` (then MODEL_ERROR_INDEX_OUT_OF_RANGE), the
    model's C built with ASan+UBSan and -Werror -pedantic; no sanitizer report allowed."""
    from tests.c_build import write_sources
    write_sources(g, tmp_path)
    literal = "{" + ", ".join("{" + ", ".join(map(str, r)) + "}" for r in rows) + "}"
    (tmp_path / "probe.c").write_text(PROBE % {"ctype": ctype, "ny": ny, "count": len(rows), "width": len(rows[0]),
                                               "rows": literal})
    exe = tmp_path / "probe"
    proc = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", *SANITIZE, "-I", str(tmp_path),
                           str(tmp_path / "model.c"), str(tmp_path / "model_weights.c"), str(tmp_path / "probe.c"),
                           "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = subprocess.run([str(exe)], capture_output=True, text=True, env=SANITIZER_ENV, timeout=60)
    assert run.returncode == 0 and not run.stderr, run.stderr[-3000:]
    return [int(v) for v in run.stdout.split()]


def test_out_of_range_runtime_position_fails_like_tflm(tmp_path):
    model = _out_of_range_model()
    x = np.arange(12, dtype=np.int8).reshape(3, 4)
    bad = np.array([0, 4], np.int32)
    with pytest.raises(RuntimeError):              # TFLM: "Node GATHER (number 0) failed to invoke"
        run_tflm(model, [x, bad])
    g = load_tflite(Path("test.tflite"), model)
    with pytest.raises(TinyccError) as err:
        interpreter.run(g, [x, bad])
    text = err.value.render()
    assert "position 4" in text and "outside [0, 4)" in text and "'positions'" in text and "run time" in text
    np.testing.assert_array_equal(interpreter.run(g, [x, np.array([0, 3], np.int32)])[0], x[:, [0, 3]])
    code = status.INDEX_OUT_OF_RANGE
    statuses = probe_statuses(g, tmp_path, "int8_t", 6, [[0, 3], [0, 4], [-1, 0], [2, 2147483647]])
    assert f"#define MODEL_ERROR_INDEX_OUT_OF_RANGE {code}" in (tmp_path / "model.h").read_text()
    assert statuses == [0, code, code, code, code]


def runtime_nd_case(rng, dtype):
    """A random GATHER_ND whose index rows are the model's second input."""
    shape = random_shape(rng)
    nd = int(rng.integers(1, min(len(shape), 5) + 1))
    lead = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(0, 3))))
    quant = shared_quant(rng, dtype)
    model = multi_op("gather_nd", [act("x", shape, dtype, quant), act("indices", (*lead, nd), "int32")],
                     [act("y", (*lead, *shape[nd:]), dtype, quant)])
    return model, shape, lead, nd


@pytest.mark.parametrize("dtype", ["int8", "float32"])
@pytest.mark.parametrize("seed", range(6))
def test_runtime_nd_indices_equal_tflm(dtype, seed):
    rng = np.random.default_rng(2000 + seed)
    model, shape, lead, nd = runtime_nd_case(rng, dtype)
    g = load_tflite(Path("test.tflite"), model)
    xs = random_inputs(g, rng)
    xs[1] = np.stack([rng.integers(0, d, size=lead) for d in shape[:nd]], axis=-1).astype(np.int32)
    assert_matches_tflm(model, inputs=xs, c=True, sanitize=seed == 0)


def _nd_model():
    return multi_op("gather_nd", [act("x", (3, 4), "float32"), act("indices", (2, 2), "int32")],
                    [act("y", (2,), "float32")])


@pytest.mark.parametrize("rows", [[[0, 4], [1, -1]], [[-1, 5], [2, 3]]])
def test_nd_index_past_its_dimension_inside_the_params_reads_like_tflm(rows):
    """TFLM checks only the row's flat position: [0, 4] of a 3x4 params is element 4, [1, -1] element 3."""
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert_matches_tflm(_nd_model(), inputs=[x, np.array(rows, np.int32)], c=True)


def test_out_of_range_runtime_nd_row_fails_like_tflm(tmp_path):
    model = _nd_model()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    for rows in ([[0, -1], [0, 0]], [[2, 4], [0, 0]], [[0, 0], [3, 0]]):
        with pytest.raises(RuntimeError):          # TFLM: "gather_nd index out of bounds"
            run_tflm(model, [x, np.array(rows, np.int32)])
    g = load_tflite(Path("test.tflite"), model)
    with pytest.raises(TinyccError) as err:
        interpreter.run(g, [x, np.array([[0, 0], [3, 0]], np.int32)])
    text = err.value.render()
    assert "index row [3, 0]" in text and "row 1 of 'indices'" in text and "outside the params (3, 4)" in text
    code = status.INDEX_OUT_OF_RANGE
    rows = [[0, 3, 2, 3], [0, -1, 0, 0], [2, 4, 0, 0], [0, 0, 3, 0], [2147483647, 2147483647, 0, 0]]
    assert probe_statuses(g, tmp_path, "float", 2, rows) == [0, code, code, code, code, code]
