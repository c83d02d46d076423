"""The c backend's fast LUT-weight kernels (kernels/optimised/*_lut_fast.h: one output channel's filter, or
one unit's weights, decoded into a stack buffer, then int8 dot products): conv_2d with padding, strides,
dilation and batches, 1x1, and fully connected over several rows and deeper than the buffer (decoded in
chunks), with 4-bit indices (the two-a-byte path) and others, equal TF Lite Micro running the same model
with TFLM_DECODE operators, under ASan+UBSan on the host and, for one case, under QEMU on a Cortex-M4."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tests.tflite_builder import act, const, q, single_op
from tests.tflm import run_tflm
from tinycc.backends.c.ops._lut import LUT_ROW_BYTES
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.ops._tflite import PADDING_SAME, pads
from tinycc.core.passes.compress_weights import CompressWeights
from tinycc.core.samples import random_inputs
from tinycc.plugins.importers.tflite import load_tflite

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
# (op, index bits, input shape, weights shape, strides, dilations, same padding)
CASES = [("conv_2d", 4, (2, 9, 8, 6), (7, 3, 3, 6), (2, 1), (1, 1), True),      # batches, border pixels
         ("conv_2d", 3, (1, 9, 9, 5), (4, 3, 3, 5), (1, 1), (2, 2), True),      # dilation: tap by tap
         ("conv_2d", 4, (1, 5, 6, 64), (6, 1, 1, 64), (1, 1), (1, 1), False),   # 1x1
         ("conv_2d", 2, (1, 12, 3, 1), (5, 10, 3, 1), (1, 1), (1, 1), True),    # KWS-like 1st layer, odd row
         ("conv_2d", 4, (1, 5, 5, 64), (3, 3, 3, 64), (1, 1), (1, 1), True),    # one filter a pass (2 overflow)
         ("fully_connected", 4, (3, 45), (7, 45), None, None, False),
         ("fully_connected", 3, (2, LUT_ROW_BYTES + 77), (5, LUT_ROW_BYTES + 77), None, None, False)]   # chunks


@pytest.fixture(autouse=True)
def _no_leak_check(monkeypatch):
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0:halt_on_error=1")     # the harness keeps its I/O buffers


def _graph(k: int):
    op, bits, xs, ws, strides, dilations, same = CASES[k]
    rng = np.random.default_rng(k)
    co = ws[0]
    w = const("w", rng.integers(-127, 128, ws).astype(np.int8),
              q(rng.uniform(0.002, 0.01, co).astype(np.float32), np.zeros(co), 0))
    b = const("b", rng.integers(-3000, 3000, co).astype(np.int32), q(np.full(co, 1e-4, np.float32), np.zeros(co)))
    attrs: dict = {"activation": "relu"}
    if op == "conv_2d":
        attrs.update(strides=strides, dilations=dilations,
                     pads=pads(PADDING_SAME if same else -1, xs, ws[1:3], strides, dilations))
    model = single_op(op, [act("x", xs, "int8", q(0.02, 5)), w, b], act("y", (), "int8", q(0.3, -7)), attrs)
    g = CompressWeights(bits).run(load_tflite(Path(f"{op}.tflite"), model))
    assert g.tensors["w"].lut is not None
    return g


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{c[0]}-{c[1]}bit-{k}" for k, c in enumerate(CASES)])
def test_fast_lut_kernels_equal_tflm_decode(k, tmp_path):
    g = _graph(k)
    model = write_tflite(g)
    assert b"TFLM_DECODE" in model
    rng = np.random.default_rng(100 + k)
    samples = [random_inputs(g, rng) for _ in range(2)]
    outs = run_exe(build(g, tmp_path, extra_flags=SANITIZE), g, samples)
    assert f"tinycc_{CASES[k][0]}_lut_fast(" in (tmp_path / "model.c").read_text()     # the fast kernel ran
    for xs, got in zip(samples, outs):
        want = run_tflm(model, xs)[0]
        np.testing.assert_array_equal(got[0].reshape(want.shape), want)
    if k == 0:
        if shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None:
            pytest.skip("the Cortex-M toolchain and QEMU are not installed: the fast LUT kernels ran on the host only")
        from tests.ops.check import assert_qemu_m4_equals_tflm
        assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)       # the same sources, cross-built (DSP dot products)
