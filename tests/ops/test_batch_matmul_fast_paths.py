"""tinycc_batch_matmul_s8_fast (backends/c/kernels/optimised/batch_matmul_fast.h) against TF Lite
Micro, byte for byte, on the host (portable C, sanitized) and under QEMU Cortex-M4 (SXTB16/SMLAD).

The kernel takes dot products of k-contiguous runs two rows by two columns at a time, copies an
operand whose k is strided (lhs with adj_x, an activation rhs without adj_y) into the node's
scratch, and folds both zero points out of the raw sums modulo 2^32. The cases reach every branch:
every adj_x / adj_y pair with a constant and an activation rhs, odd rows, columns and depths (a
last row or column alone; depths below, at and beside 4), 1x1 matrices, broadcast batch
dimensions on either side (ranks 2 to 5), zero points 0 and at both ends of int8, a KWS-attention
shape (seq 49, d_model 64), and a depth where TFLM's int32 sums wrap (the wrapped result kept).
int16 (tinycc_batch_matmul_s16_fast: int64 sums, SMLALD pairs) over the same kinds of shapes, and
products of -32768 x -32768."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, random_int, single_op

# name: (lhs shape, rhs shape, adj_x, adj_y, rhs constant, lhs zp, rhs zp)
CASES = {
    "plain-act": ((5, 7), (7, 3), False, False, False, 3, -9),
    "plain-const": ((5, 7), (7, 3), False, False, True, -4, 11),
    "adj-y-act": ((1, 16, 64), (1, 16, 64), False, True, False, -128, 127),
    "adj-y-const": ((3, 9), (6, 9), False, True, True, 0, 0),
    "adj-x-act": ((6, 4), (6, 5), True, False, False, 17, 0),
    "adj-x-const": ((6, 4), (6, 5), True, False, True, 0, -3),
    "adj-xy-act": ((2, 3, 5), (2, 4, 3), True, True, False, 127, -128),
    "adj-xy-const": ((2, 3, 5), (2, 4, 3), True, True, True, -1, 1),
    "one-by-one": ((1, 1), (1, 1), False, False, False, 5, 7),
    "depth1-odd": ((3, 1), (1, 5), False, False, False, -7, 2),
    "rows1-cols1-deep": ((1, 33), (33, 1), False, False, True, 9, -9),
    "broadcast-lhs": ((1, 3, 8), (4, 8, 6), False, False, False, 2, 5),
    "broadcast-rhs-const": ((2, 3, 5, 8), (3, 8, 7), False, False, True, -20, 0),
    "broadcast-both-5d": ((2, 1, 3, 4, 6), (1, 2, 1, 5, 6), False, True, False, 1, -2),
    "broadcast-adj-x-rank4": ((2, 1, 6, 3), (1, 3, 6, 2), True, False, False, -50, 60),
    "kws-scores": ((1, 4, 49, 16), (1, 4, 49, 16), False, True, False, -3, 8),
    "kws-context": ((1, 4, 49, 49), (1, 4, 49, 16), False, False, False, -128, 4),
}
QEMU_CASES = ["plain-act", "plain-const", "adj-y-act", "adj-x-act", "adj-xy-act", "depth1-odd", "broadcast-both-5d",
              "broadcast-adj-x-rank4", "kws-context"]


@pytest.fixture(autouse=True)
def _keep_speed_scratch(monkeypatch):
    """One-operator models: any scratch raises their arena's peak, so the planner's default ("fit")
    would give them the plain kernels; these tests are about the fast ones."""
    from tinycc.core import planner
    monkeypatch.setattr(planner, "SPEED_SCRATCH", "keep")


def _case(name: str) -> bytes:
    lshape, rshape, adj_x, adj_y, constant, lzp, rzp = CASES[name]
    rng = np.random.default_rng(sorted(CASES).index(name))
    depth = lshape[-2] if adj_x else lshape[-1]
    rq = q(0.02, rzp)
    rhs = const("rhs", random_int(rng, rshape, "int8"), rq) if constant else act("rhs", rshape, "int8", rq)
    out_scale = 0.03 * 0.02 * 74.0 * np.sqrt(depth) / 127 + 0.03 * 0.02 * abs(lzp * rzp) * depth / 127 * 0.2
    return single_op("batch_matmul", [act("lhs", lshape, "int8", q(0.03, lzp)), rhs],
                     act("y", (), "int8", q(float(out_scale), -5)), {"adj_x": adj_x, "adj_y": adj_y})


def test_wrapping_sums_stay_tflm_s():
    """Zero points at the ends of int8 over a depth of 70000: TFLM's int32 sums wrap; the fast
    kernel's folded zero points (modulo 2^32) give the same wrapped values."""
    lhs = act("lhs", (1, 3, 70000), "int8", q(0.5, 127))
    rhs = const("rhs", np.full((70000, 2), 127, np.int8), q(0.5, -128))
    data = single_op("batch_matmul", [lhs, rhs], act("y", (), "int8", q(0.25 * 2.0 ** 24, 0)))
    assert_matches_tflm(data, samples=2, seed=1, c=True)


def test_scratch_only_for_copies_and_sums():
    """The node's scratch: the lhs copy with adj_x, an activation rhs's copy without adj_y and its
    column sums when the lhs zero point is not 0; none with a constant or adj_y rhs and lhs zp 0."""
    from tinycc.core.ops import batch_matmul
    from tinycc.plugins.importers.tflite import load_tflite
    sizes = {}
    for name in ("adj-y-const", "plain-act", "adj-x-act", "adj-xy-const"):
        g = load_tflite(Path("t.tflite"), _case(name))
        sizes[name] = batch_matmul.scratch_bytes(g.nodes[0], g)
    assert sizes == {"adj-y-const": 0, "plain-act": 7 * 3 + 4 * 3, "adj-x-act": 4 * 6 + 5 * 6 + 4 * 5,
                     "adj-xy-const": 3 * 5}


# int16 (zero points 0): name: (lhs shape, rhs shape, adj_x, adj_y, rhs constant)
CASES16 = {
    "s16-plain-act": ((5, 7), (7, 3), False, False, False),
    "s16-plain-const": ((3, 4), (4, 2), False, False, True),
    "s16-adj-x-act": ((6, 5), (6, 5), True, False, False),
    "s16-adj-xy-act-broadcast": ((2, 1, 3, 5), (1, 3, 4, 3), True, True, False),
    "s16-adj-y-const-odd": ((1, 9), (3, 9), False, True, True),
    "s16-one-by-one": ((1, 1), (1, 1), False, False, False),
    "s16-kws-context": ((1, 4, 16, 16), (1, 4, 16, 16), False, False, False),
}


def _case16(name: str, full: bool = False) -> bytes:
    lshape, rshape, adj_x, adj_y, constant = CASES16[name]
    rng = np.random.default_rng(sorted(CASES16).index(name))
    depth = lshape[-2] if adj_x else lshape[-1]
    rq = q(1e-3, 0)
    data = np.full(rshape, -32768, np.int16) if full else random_int(rng, rshape, "int16")
    rhs = const("rhs", data, rq) if constant else act("rhs", rshape, "int16", rq)
    out_scale = 2e-3 * 1e-3 * 18918.0 * np.sqrt(depth) / 32767
    return single_op("batch_matmul", [act("lhs", lshape, "int16", q(2e-3, 0)), rhs],
                     act("y", (), "int16", q(float(out_scale), 0)), {"adj_x": adj_x, "adj_y": adj_y})


@pytest.mark.parametrize("name", sorted(CASES) + sorted(CASES16))
def test_host_fast_path_equals_tflm(name, tmp_path):
    """Each int8 and int16 case runs the fast kernel of its type and equals TFLM (under ASan + UBSan)."""
    data, kernel = (_case(name), "tinycc_batch_matmul_s8_fast(") if name in CASES else \
        (_case16(name), "tinycc_batch_matmul_s16_fast(")
    assert kernel in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=3, seed=5, c=True, sanitize=True)


def test_int16_extreme_products_equal_tflm():
    """-32768 x -32768 = 2^30 products summed over a depth: the int64 sums exactly (clamped output)."""
    data = _case16("s16-adj-y-const-odd", full=True)
    x = np.full((1, 9), -32768, np.int16)
    assert_matches_tflm(data, c=True, inputs=[x])


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES + sorted(CASES16))
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    data = _case16(name) if name in CASES16 else _case(name)
    kernel = "tinycc_batch_matmul_s16_fast(" if name in CASES16 else "tinycc_batch_matmul_s8_fast("
    assert_qemu_m4_fast_path(data, tmp_path, kernel, 3)


@pytest.mark.parametrize("name", ["kws-context", "adj-x-act"])
def test_cmsis_nn_backend_falls_back_to_the_c_fast_kernel(name, tmp_path):
    """The CMSIS-NN tinycc fetches has no batch matmul: the cmsis-nn backend emits the c backend's
    fast kernel over its own plan (which holds the node's scratch), equal to TFLM."""
    from tests.cmsis_nn_source import require_cmsis_nn
    from tests.ops.check import assert_outputs_equal_tflm, random_inputs
    from tests.test_cmsis_nn_twins import host_outputs, write
    cmsis = require_cmsis_nn()
    data = _case(name)
    g, _ = write(data, tmp_path)
    src = (tmp_path / "model.c").read_text()
    assert "tinycc_batch_matmul_s8_fast(" in src.split("_invoke(")[-1] and "arm_batch_matmul" not in src
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    assert_outputs_equal_tflm(data, xs, host_outputs(g, tmp_path, cmsis, xs))
