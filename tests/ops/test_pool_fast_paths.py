"""The fast int8 AVERAGE_POOL_2D kernel (backends/c/kernels/optimised/pooling_fast.h) against TF Lite
Micro, byte for byte, on the host (its portable branch: the reference loops) and under QEMU Cortex-M4
(windows summed four channels a word in SXTAB16's int16 halves, TFLM's rounding division).

Cases: a global pool (KWS's 25x5, IC's 8x8), 2x2 and 3x3 windows with SAME padding (partial border
windows, stride 1 and 2), channel counts 1, 3, 4, 5, 8, 12, 13, 20 (two-word passes, a one-word pass,
a scalar tail), two images, relu6, and a 16x16 window (256 elements, the int16 halves' limit) of all
-128 and all 127; a 17x16 window keeps the reference kernel."""
from __future__ import annotations

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu, write_model_c
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op

# name: (input shape NHWC, kernel, strides, pads (top, left, bottom, right), activation, zero point)
CASES = {
    "global-25x5-c64": ((1, 25, 5, 64), (25, 5), (1, 1), (0, 0, 0, 0), "none", -128),
    "global-8x8-c12": ((1, 8, 8, 12), (8, 8), (1, 1), (0, 0, 0, 0), "none", 3),
    "2x2-s2-same-c13": ((1, 7, 5, 13), (2, 2), (2, 2), (0, 0, 1, 1), "none", -5),
    "3x3-s1-same-c5-relu6": ((2, 6, 7, 5), (3, 3), (1, 1), (1, 1, 1, 1), "relu6", 10),
    "3x3-s2-same-c20": ((1, 9, 9, 20), (3, 3), (2, 2), (1, 1, 1, 1), "none", 127),
    "2x3-s1-c1": ((1, 4, 6, 1), (2, 3), (1, 1), (0, 0, 0, 0), "relu", -1),
    "1x4-s1-c3": ((1, 3, 8, 3), (1, 4), (1, 2), (0, 1, 0, 1), "none", 0),
    "2x2-s1-c8": ((1, 5, 5, 8), (2, 2), (1, 1), (0, 0, 0, 0), "none", 40),
    "4x4-c4": ((1, 4, 4, 4), (4, 4), (1, 1), (0, 0, 0, 0), "none", -100),
}
QEMU_CASES = sorted(CASES)
# name: (TINYCC_POOL_ONE_WORD, TINYCC_POOL_REST): the tails a model's channel counts reach (one last word
# of 4 channels after the two-word passes; channels past the last multiple of 4); the others compile out
TAILS = {"global-25x5-c64": (0, 0), "global-8x8-c12": (1, 0), "2x2-s2-same-c13": (1, 1),
         "3x3-s1-same-c5-relu6": (1, 1), "3x3-s2-same-c20": (1, 0), "2x3-s1-c1": (0, 1), "1x4-s1-c3": (0, 1),
         "2x2-s1-c8": (0, 0), "4x4-c4": (1, 0)}


def _model(shape, kernel, strides, pads, activation, zp) -> bytes:
    quant = q(0.05, zp)
    return single_op("average_pool_2d", [act("x", shape, "int8", quant)], act("y", (), "int8", quant),
                     {"kernel": kernel, "strides": strides, "activation": activation, "pads": pads})


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm(name, tmp_path):
    data = _model(*CASES[name])
    assert "tinycc_average_pool_2d_s8_fast(" in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=3, seed=3, c=True, sanitize=True)


def test_window_of_256_extremes_and_257_keeps_reference(tmp_path):
    data = _model((1, 16, 16, 8), (16, 16), (1, 1), (0, 0, 0, 0), "none", 0)
    assert "tinycc_average_pool_2d_s8_fast(" in invoke_source(data, tmp_path / "a")
    for fill in (-128, 127):
        assert_matches_tflm(data, c=True, inputs=[np.full((1, 16, 16, 8), fill, np.int8)])
    big = _model((1, 17, 16, 8), (17, 16), (1, 1), (0, 0, 0, 0), "none", 0)
    src = invoke_source(big, tmp_path / "b")
    assert "tinycc_average_pool_2d_s8(" in src and "_fast(" not in src


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES)
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    """Each case with only the tails its channel count reaches compiled in (TAILS)."""
    assert_qemu_m4_fast_path(_model(*CASES[name]), tmp_path, "tinycc_average_pool_2d_s8_fast(", 3)
    text = (tmp_path / "model.c").read_text()
    one_word, rest = TAILS[name]
    assert f"#define TINYCC_POOL_ONE_WORD {one_word}\n" in text and f"#define TINYCC_POOL_REST {rest}\n" in text


@needs_qemu
def test_qemu_cortex_m4_two_pools_keep_both_tails(tmp_path):
    """A model with an 8-channel and a 13-channel pool keeps both tails (a model-wide switch), both equal
    to TF Lite Micro."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    quant = q(0.05, 3)
    tensors, nodes = {}, []
    for i, c in enumerate((8, 13)):
        tensors.update({f"x{i}": act(f"x{i}", (1, 4, 4, c), "int8", quant), f"y{i}": act(f"y{i}", (), "int8", quant)})
        nodes.append(Node(f"pool{i}", "average_pool_2d", [f"x{i}"], [f"y{i}"],
                          {"kernel": (2, 2), "strides": (2, 2), "activation": "none", "pads": (0, 0, 0, 0)}))
    data = write_tflite(validate(Graph("pools", tensors, nodes, ["x0", "x1"], ["y0", "y1"], source="<pools>")))
    assert_qemu_m4_fast_path(data, tmp_path, "tinycc_average_pool_2d_s8_fast(", 3)
    text = (tmp_path / "model.c").read_text()
    assert "#define TINYCC_POOL_ONE_WORD 1\n" in text and "#define TINYCC_POOL_REST 1\n" in text


@needs_qemu
def test_qemu_cortex_m4_window_of_256_extremes(tmp_path):
    """All -128, all 127 and alternating extremes over a 256-element window: the int16 halves' bounds."""
    from tests.ops.check import assert_outputs_equal_tflm
    from tinycc import cortexm
    data = _model((1, 16, 16, 8), (16, 16), (1, 1), (0, 0, 0, 0), "none", 0)
    write_model_c(data, tmp_path)
    report = cortexm.build(tmp_path, "cortex-m4")
    alt = np.where(np.indices((1, 16, 16, 8)).sum(axis=0) % 2 == 0, 127, -128)
    xs = [[np.full((1, 16, 16, 8), v, np.int8)] for v in (-128, 127)] + [[alt.astype(np.int8)]]
    outs = cortexm.run(report["elf"], "qemu-cortex-m4", xs, [((1, 1, 1, 8), "int8")])
    assert_outputs_equal_tflm(data, xs, outs)
