"""tinycc_lstm_s8_fast (backends/c/kernels/lstm_fast.h) against TF Lite Micro, byte for byte, on the
host (portable C) and under QEMU Cortex-M4 (fully_connected.h's SMLAD blocks).

The gates run four units a block over interleaved weights (a last block of 1-2 units two rows wide,
of 3 four wide), depths and state sizes reaching every tail (1..9, not multiples of 4), batch-major
and time-major layouts with several batches, cell clips, hidden zero points at both ends; a bias at
the edge of int32 keeps the plain kernel (TFLM's sums wrap there)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.cases.unidirectional_sequence_lstm import lstm
from tests.ops.check import assert_matches_tflm
from tinycc.plugins.importers.tflite import load_tflite

CASES = {   # name: (seed, batch, steps, depth, state, hidden (scale, zp) or None)
    "s1-d1": (1, 1, 3, 1, 1, None),
    "s2-d3-b2": (2, 2, 4, 3, 2, None),
    "s3-d5": (12, 1, 5, 5, 3, None),
    "s4-d4-b3": (4, 3, 2, 4, 4, None),
    "s5-d7": (5, 1, 6, 7, 5, None),
    "s6-d9-b2": (6, 2, 3, 9, 6, None),
    "s7-d2-b3": (7, 3, 4, 2, 7, None),
    "s9-d8": (8, 1, 4, 8, 9, None),
    "s16-d10-hzp-128": (9, 1, 5, 10, 16, (1 / 128, -128)),
    "s11-d13-b2-hzp127": (10, 2, 3, 13, 11, (1 / 100, 127)),
    "s33-d40": (11, 1, 3, 40, 33, None),
}


def _case(name):
    seed, batch, steps, depth, state, hidden = CASES[name]
    return lstm(np.random.default_rng(seed), "int8", batch=batch, steps=steps, depth=depth, state=state, hidden=hidden)


def test_cases_cover_both_layouts():
    layouts = {load_tflite(Path("t.tflite"), _case(n)).nodes[0].attrs["time_major"] for n in CASES}
    assert layouts == {True, False}


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm(name, tmp_path):
    data = _case(name)
    assert "tinycc_lstm_s8_fast(" in invoke_source(data, tmp_path)
    assert_matches_tflm(data, samples=3, seed=4, c=True)


def test_bias_at_the_int32_edge_keeps_the_plain_kernel(tmp_path):
    from tinycc.backends.tflm.flatbuffer import write_tflite
    g = load_tflite(Path("t.tflite"), _case("s5-d7"))
    b = g.tensors[g.nodes[0].inputs[13]]          # the forget gate's bias
    b.data = np.full(b.data.shape, (1 << 31) - 1, np.int32)
    data = write_tflite(g)
    src = invoke_source(data, tmp_path)
    assert "tinycc_lstm_s8(" in src and "_fast(" not in src
    assert_matches_tflm(data, samples=2, seed=1, c=True)


@needs_qemu
@pytest.mark.parametrize("name", ["s1-d1", "s3-d5", "s6-d9-b2", "s7-d2-b3", "s16-d10-hzp-128", "s33-d40"])
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(_case(name), tmp_path, "tinycc_lstm_s8_fast(", 3)
