"""The fast resize kernels (backends/c/kernels/optimised/resize_fast.h) against TF Lite Micro, byte
for byte, on the host (portable C, sanitized) and under QEMU Cortex-M4 (SXTB16 + SMUAD row blends).

RESIZE_BILINEAR int8 blends each output row's two input rows once into the node's scratch and then
interpolates columns from it, rounding as TFLM's division by 2^20; RESIZE_NEAREST_NEIGHBOR copies
an output row whose source row repeats the previous one's whole (pixels of fewer than 16 bytes;
wider ones keep the reference gather, already word copies). The cases: upscale and downscale
(x2, non-integer, to and from one pixel, one row or one column), every flag combination TFLM takes
(neither, align_corners, half_pixel_centers; nearest also both), channel counts 1, 3, 4, 5, 7, 8,
15, 32 (word blocks and odd tails), batches, zero points at both ends of int8, int16 nearest; a
16-byte nearest pixel and a bilinear scratch row bigger than its input and its output keep the
reference kernels."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op

FLAGS = {"plain": (False, False), "align": (True, False), "half": (False, True), "both": (True, True)}
# name: (op, input shape NHWC, size, flags, zero point)
CASES = {
    **{f"bilinear-x2-{f}": ("resize_bilinear", (1, 6, 5, 8), (12, 10), f, 3) for f in ("plain", "align", "half")},
    **{f"nearest-x2-{f}": ("resize_nearest_neighbor", (1, 6, 5, 8), (12, 10), f, -7) for f in FLAGS},
    "bilinear-up-odd-c3": ("resize_bilinear", (1, 3, 4, 3), (7, 9), "half", -128),
    "bilinear-down-c5": ("resize_bilinear", (2, 9, 7, 5), (4, 3), "plain", 127),
    "bilinear-down-align-c1": ("resize_bilinear", (1, 8, 8, 1), (3, 5), "align", 0),
    "bilinear-1px-to-5x6": ("resize_bilinear", (1, 1, 1, 4), (5, 6), "half", 10),
    "bilinear-to-1px-align": ("resize_bilinear", (1, 5, 3, 7), (1, 1), "align", -1),
    "bilinear-row-c32": ("resize_bilinear", (1, 1, 6, 32), (3, 13), "plain", 50),
    "bilinear-col-c4-half": ("resize_bilinear", (1, 7, 1, 4), (15, 2), "half", -60),
    "nearest-up-odd-c3-both": ("resize_nearest_neighbor", (1, 3, 4, 3), (7, 9), "both", 5),
    "nearest-down-c5-half": ("resize_nearest_neighbor", (2, 9, 7, 5), (4, 3), "half", 0),
    "nearest-1px-to-4x3": ("resize_nearest_neighbor", (1, 1, 1, 1), (4, 3), "plain", 1),
    "nearest-to-1px-align": ("resize_nearest_neighbor", (1, 5, 3, 7), (1, 1), "align", -2),
    "nearest-x3-c15": ("resize_nearest_neighbor", (1, 2, 3, 15), (6, 9), "half", 9),
}
QEMU_CASES = ["bilinear-x2-half", "bilinear-x2-align", "bilinear-up-odd-c3", "bilinear-down-c5",
              "bilinear-row-c32", "bilinear-col-c4-half", "nearest-x2-both", "nearest-down-c5-half"]
@pytest.fixture(autouse=True)
def _keep_speed_scratch(monkeypatch):
    """One-operator models: any scratch raises their arena's peak, so the planner's default ("fit")
    would give them the plain kernels; these tests are about the fast ones."""
    from tinycc.core import planner
    monkeypatch.setattr(planner, "SPEED_SCRATCH", "keep")


KERNEL = {"resize_bilinear": "tinycc_resize_bilinear_s8_fast(",
          "resize_nearest_neighbor": "tinycc_resize_nearest_fast("}


def _model(op, shape, size, flags, zp, dtype="int8") -> bytes:
    align, half = FLAGS[flags]
    quant = q(0.05, zp if dtype == "int8" else 0)
    return single_op(op, [act("x", shape, dtype, quant)], act("y", (), dtype, quant),
                     {"size": size, "align_corners": align, "half_pixel_centers": half})


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm(name, tmp_path):
    data = _model(*CASES[name])
    assert KERNEL[CASES[name][0]] in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=3, seed=3, c=True, sanitize=True)


def test_extreme_inputs_round_as_tflm():
    """All -128 / all 127 inputs and alternating extremes: the largest sums of both signs and the
    rounding of exact halves (acc = +-2^19 mod 2^20) for every flag combination."""
    for flags in ("plain", "align", "half"):
        data = _model("resize_bilinear", (1, 3, 5, 6), (8, 11), flags, 0)
        for fill in (np.full((1, 3, 5, 6), -128), np.full((1, 3, 5, 6), 127),
                     np.where(np.indices((1, 3, 5, 6)).sum(axis=0) % 2 == 0, 127, -128),
                     np.where(np.indices((1, 3, 5, 6))[2] % 2 == 0, 1, -1)):
            assert_matches_tflm(data, c=True, inputs=[fill.astype(np.int8)])


def test_wide_pixels_keep_the_reference_gather(tmp_path):
    data = _model("resize_nearest_neighbor", (1, 2, 3, 16), (6, 9), "half", 9)
    src = invoke_source(data, tmp_path)
    assert "tinycc_resize_nearest(" in src and "_fast(" not in src
    assert_matches_tflm(data, samples=2, seed=1, c=True)


def test_int16_nearest(tmp_path):
    data = _model("resize_nearest_neighbor", (1, 3, 4, 7), (7, 8), "half", 0, dtype="int16")   # 14-byte pixels
    assert KERNEL["resize_nearest_neighbor"] in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=2, seed=1, c=True)


def test_scratch_bigger_than_input_and_output_keeps_the_reference_kernel(tmp_path):
    """A 1x64x4 input (256 bytes) shrunk to 1x1: a 1 KiB blended row is not worth it."""
    data = _model("resize_bilinear", (1, 1, 64, 4), (1, 1), "plain", 4)
    src = invoke_source(data, tmp_path)
    assert "tinycc_resize_bilinear_s8(" in src and "_fast(" not in src
    assert_matches_tflm(data, samples=2, seed=1, c=True)


def test_scratch_is_the_blended_row():
    from tinycc.core.ops import resize_bilinear
    from tinycc.plugins.importers.tflite import load_tflite
    g = load_tflite(Path("t.tflite"), _model(*CASES["bilinear-down-c5"]))
    assert resize_bilinear.scratch_bytes(g.nodes[0], g) == 4 * 7 * 5


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES)
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(_model(*CASES[name]), tmp_path, KERNEL[CASES[name][0]], 3)
