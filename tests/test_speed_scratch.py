"""Speed-only scratch never raises the arena's peak (core/planner.py fit_speed_scratch).

Operators with the `speed_scratch` trait (RESIZE_BILINEAR's int8 blended row, BATCH_MATMUL's operand
copies and column sums) declare scratch that only their fast kernels use. The planner places it,
and where it would make the arena larger than the arena without any, drops it (nodes at the peak
first) and the node's emitter takes the plain kernel; the compile report says so in one line.
Checked: a U-Net decoder's x2 bilinear upsample of 24x24x32 keeps the no-scratch peak (92,160 B of
inputs and outputs, under TF Lite Micro's 93,008 B arena) and TFLM's output; a chain where two of
three resizes' rows fit in gaps keeps their fast kernels and the same arena; BATCH_MATMUL int8 and
int16 fall back to TFLM-equal plain kernels; `speed_scratch="keep"` keeps every fast kernel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops, planner
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate
from tinycc.driver import compile_model
from tinycc.plugins.importers.tflite import load_tflite

HALF = {"align_corners": False, "half_pixel_centers": True}


def _upsample() -> bytes:
    """benchmarks/keras_models.py upsample_bilinear as the converter emits it: one RESIZE_BILINEAR."""
    quant = q(0.05, 3)
    return single_op("resize_bilinear", [act("x", (1, 24, 24, 32), "int8", quant)], act("y", (), "int8", quant),
                     {"size": (48, 48), **HALF})


def _chain() -> bytes:
    """x 6x6x8 -> up to 24x24 (4,608 B) -> down to 6x6 (288 B) -> up to 12x12 (the output). The
    peak is at the down-resize (both intermediates, 4,896 B): its 768 B row has no room, while the
    first resize's row (192 B beside 4,608 B) and the last one's (192 B beside 288 B) fit."""
    quant = q(0.05, -7)
    t = {"x": act("x", (1, 6, 6, 8), "int8", quant), "t1": act("t1", (), "int8", quant),
         "t2": act("t2", (), "int8", quant), "y": act("y", (), "int8", quant)}
    nodes = [Node("up", "resize_bilinear", ["x"], ["t1"], {"size": (24, 24), **HALF}),
             Node("down", "resize_bilinear", ["t1"], ["t2"], {"size": (6, 6), **HALF}),
             Node("up2", "resize_bilinear", ["t2"], ["y"], {"size": (12, 12), **HALF})]
    return write_tflite(validate(Graph("chain", t, nodes, ["x"], ["y"], source="<chain>")))


def _compile(data: bytes, tmp_path, **options) -> tuple[dict, str]:
    g = load_tflite(Path("t.tflite"), data)
    report = compile_model(g, "c", tmp_path / "out", options=options or None)
    return report, (tmp_path / "out" / "model.c").read_text().split("_invoke(")[-1]


def test_only_fast_kernel_scratch_is_optional():
    assert ops.having("speed_scratch") == ("batch_matmul", "resize_bilinear")
    assert not ops.trait("unidirectional_sequence_lstm", "speed_scratch") and not ops.trait("svdf", "speed_scratch")


def test_unet_upsample_keeps_the_no_scratch_peak(tmp_path):
    data = _upsample()
    report, src = _compile(data, tmp_path)
    assert report["arena_bytes"] + report["input_bytes"] + report["output_bytes"] == 92_160
    assert "tinycc_resize_bilinear_s8(" in src and "_fast(" not in src
    notes = [n for n in report["notes"] if "save RAM" in n]
    assert len(notes) == 1 and "\n" not in notes[0] and "'op0:y' (resize_bilinear)" in notes[0]
    from tests.tflm import tflm_arena_bytes
    assert tflm_arena_bytes(data)["total"] == 93_008        # TFLM's whole arena: tinycc's peak is below it
    assert_matches_tflm(data, samples=2, seed=1, c=True)


def test_unet_upsample_keeps_its_scratch_when_asked(tmp_path):
    report, src = _compile(_upsample(), tmp_path, speed_scratch="keep")
    assert report["arena_bytes"] == 24 * 32 * 4 and "tinycc_resize_bilinear_s8_fast(" in src
    assert not any("save RAM" in n for n in report.get("notes", []))


def test_rows_that_fit_in_gaps_keep_the_fast_kernel(tmp_path):
    data = _chain()
    g = load_tflite(Path("t.tflite"), data)
    plain = planner.place(g, dropped=frozenset(range(len(g.nodes)))).arena_bytes
    assert plain == 4_608 + 288
    report, src = _compile(data, tmp_path)
    assert report["arena_bytes"] == plain
    calls = [line.strip().split("(")[0] for line in src.splitlines() if "tinycc_resize_bilinear" in line]
    assert calls == ["tinycc_resize_bilinear_s8_fast", "tinycc_resize_bilinear_s8", "tinycc_resize_bilinear_s8_fast"]
    notes = [n for n in report["notes"] if "save RAM" in n]
    assert len(notes) == 1 and notes[0].count("(resize_bilinear)") == 1 and "'op1:t2'" in notes[0]
    assert_matches_tflm(data, samples=2, seed=2, c=True, sanitize=True)


@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_batch_matmul_without_its_scratch_takes_the_plain_kernel(dtype, tmp_path):
    """An activation rhs without adj_y: the fast kernels would copy it (scratch); a one-operator
    model has no gap for it."""
    zp, lshape, adj_x = (3, (2, 5, 7), False) if dtype == "int8" else (0, (2, 7, 5), True)
    operands = [act("lhs", lshape, dtype, q(0.03, zp)), act("rhs", (2, 7, 3), dtype, q(0.02, -zp))]
    data = single_op("batch_matmul", operands,
                     act("y", (), dtype, q(0.004, 0)), {"adj_x": adj_x})
    report, src = _compile(data, tmp_path)
    assert report["arena_bytes"] == 0
    assert f"tinycc_batch_matmul_s{dtype[3:]}(" in src and "_fast(" not in src
    _, fast = _compile(data, tmp_path / "keep", speed_scratch="keep")
    assert f"tinycc_batch_matmul_s{dtype[3:]}_fast(" in fast
    assert_matches_tflm(data, samples=2, seed=3, c=True, sanitize=True)


def test_the_policy_is_checked():
    g = load_tflite(Path("t.tflite"), _upsample())
    with pytest.raises(ValueError, match="'fit' or 'keep'"):
        planner.plan(g, speed_scratch="fast")
    assert np.array_equal(sorted(planner.plan(g).dropped_scratch), [0])
