"""tinycc_fully_connected_s8_w4 (backends/c/kernels/fully_connected.h) against TF Lite Micro, byte
for byte, on the host (portable C) and under QEMU Cortex-M4 (the SXTB16/SMLAD assembly).

The kernel takes four units a pass over the input on weights interleaved at compile time
(ops/fully_connected.py), thirty-two input bytes a loop turn, then 16, then 4-byte chunks, then
the last 1-3 bytes assembled without reading past the input; the requantisation is TFLM's formula
(mode 0) or an exact one-multiply form (modes 1 and 2, checked against TFLM's formula directly). The cases hit
every edge of that blocking:
units not a multiple of 4 (a last block of 1-2 units two rows wide, of 3 units padded with a zero
row never stored), depths reaching every branch (32-byte turns, a 16-byte step, 4-byte chunks),
several rows, per-tensor and per-channel multipliers, input zero points at both extremes,
with and without bias, activations; on a Thumb-2 DSP core mode 2 with units and depth multiples of 4
runs one assembly loop a row (every entry point of its eight-chunk body)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, needs_qemu, write_model_c
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.backends.c.ops.fully_connected import W4_MIN_MACS as DEFAULT_W4_MIN_MACS
from tinycc.backends.c.ops.fully_connected import interleave4


def fc_case(seed, rows, depth, units, in_zp=None, act_fn="none", bias=True, per_channel=False, w_range=127,
            real=None):
    """`real`: the requantisation multiplier in_scale * w_scale / out_scale (default ~1 / (254 sqrt(depth)),
    right shifts of 2 or more: fully_connected.h's one-multiply modes; >= 0.25 reaches mode 0)."""
    rng = np.random.default_rng(seed)
    in_scale = 0.02
    zp = int(rng.integers(-128, 128)) if in_zp is None else in_zp
    x = act("x", (rows, depth), "int8", q(in_scale, zp))
    w_scales = rng.uniform(2e-3, 0.02, units).astype(np.float32)
    if not per_channel:
        w_scales[:] = w_scales[0]
    n = units if per_channel else 1
    wt = const("w", rng.integers(-w_range, min(w_range + 1, 128), (units, depth)).astype(np.int8),
               q(w_scales[:n], np.zeros(n)))
    b_scales = (w_scales * np.float32(in_scale)).astype(np.float32)
    b = const("b", rng.integers(-20000, 20000, units).astype(np.int32),
              q(b_scales[:n], np.zeros(n)))
    out_scale = float(np.float32(in_scale * float(w_scales.mean()) * (127 * 2 * np.sqrt(depth) if real is None
                                                                       else 1.0 / real)))
    y = act("y", (), "int8", q(out_scale, int(rng.integers(-20, 20))))
    return single_op("fully_connected", [x, wt, *([b] if bias else [])], y, {"activation": act_fn})


@pytest.fixture(autouse=True)
def _fast_fc_on_small_layers(monkeypatch):
    """The cases are small layers, below the size from which the c backend takes the fast fully connected
    kernel (fully_connected.W4_MIN_MACS): forced here, so that they reach it."""
    from tinycc.backends.c.ops import fully_connected
    monkeypatch.setattr(fully_connected, "W4_MIN_MACS", 0)


CASES = {
    "u1-d1": dict(rows=1, depth=1, units=1),
    "u1-d9-rows2": dict(rows=2, depth=9, units=1, in_zp=-128),
    "u2-d256-vww-like": dict(rows=1, depth=256, units=2),
    "u6-d7-rows2-per-channel": dict(rows=2, depth=7, units=6, per_channel=True),
    "u2-d2-zp-128": dict(rows=1, depth=2, units=2, in_zp=-128),
    "u3-d3-zp127": dict(rows=1, depth=3, units=3, in_zp=127),
    "u4-d4": dict(rows=1, depth=4, units=4),
    "u5-d5-relu": dict(rows=1, depth=5, units=5, act_fn="relu"),
    "u7-d15-per-channel": dict(rows=1, depth=15, units=7, per_channel=True),
    "u8-d16": dict(rows=1, depth=16, units=8, in_zp=-128),
    "u9-d17-no-bias": dict(rows=1, depth=17, units=9, bias=False),
    "u6-d19-rows3": dict(rows=3, depth=19, units=6, in_zp=127),
    "u10-d33-rows2-per-channel-relu6": dict(rows=2, depth=33, units=10, per_channel=True, act_fn="relu6"),
    "u11-d46-rows5-no-bias-zp-128": dict(rows=5, depth=46, units=11, bias=False, in_zp=-128),
    "u12-d64-rows4-per-channel-zp127": dict(rows=4, depth=64, units=12, per_channel=True, in_zp=127),
    "u13-d100-full-range-weights": dict(rows=1, depth=100, units=13, w_range=128, in_zp=-128),
    "u128-d8-ad-like": dict(rows=1, depth=8, units=128),
    "u5-d61-rows2": dict(rows=2, depth=61, units=5, in_zp=-128),
    "u4-d4000-micro-speech-like": dict(rows=1, depth=4000, units=4, in_zp=-128),
    "u8-d128-ad-like": dict(rows=1, depth=128, units=8),
    "u130-d641-rows2": dict(rows=2, depth=641, units=130, per_channel=True),
    "u12-d250-rows2-kws-like": dict(rows=2, depth=250, units=12),
    "mode0-shift-1": dict(rows=2, depth=3, units=6, real=0.3, in_zp=-128),
    "mode0-shift0-relu": dict(rows=1, depth=2, units=5, real=0.7, act_fn="relu"),
    "mode0-left-shift": dict(rows=1, depth=1, units=3, real=3.0),
    "mode0-per-channel-mixed": dict(rows=2, depth=9, units=7, real=0.2, per_channel=True),
    "mode1-relu6": dict(rows=1, depth=24, units=9, act_fn="relu6", in_zp=5),
    # one assembly loop a row (mode 2, units and depth multiples of 4): entered 7, 1, 0 and 1..7 chunks early
    "asm-u4-d36-rows3": dict(rows=3, depth=36, units=4, in_zp=-128),
    "asm-u8-d28-rows2": dict(rows=2, depth=28, units=8, in_zp=127),
    "asm-u12-d32": dict(rows=1, depth=32, units=12),
    "asm-u16-d60-no-bias": dict(rows=1, depth=60, units=16, bias=False),
    "asm-u20-d12-rows2": dict(rows=2, depth=12, units=20),
}


@pytest.mark.parametrize("units", [1, 2, 3, 4, 5, 6, 7, 9])
def test_interleave4_layout(units):
    depth = 23
    rng = np.random.default_rng(units)
    w = rng.integers(-128, 128, (units, depth)).astype(np.int8)
    words = interleave4(w).astype(np.int64) & 0xFFFFFFFF
    chunks, pos = 6, 0
    for u0 in range(0, units, 4):
        width = 2 if units - u0 <= 2 else 4
        for c in range(chunks):
            for j in range(width):
                word = int(words[pos])
                pos += 1
                for k in range(4):
                    u, d = u0 + j, 4 * c + k
                    want = int(w[u, d]) if u < units and d < depth else 0
                    assert np.int8(np.uint8((word >> (8 * k)) & 0xFF)) == want
    assert pos == words.size


@pytest.mark.parametrize("rows,depth,units,fast", [(1, 64, 12, False), (1, 64, 10, False), (1, 64, 64, True),
                                                   (4, 64, 16, True), (1, 1365, 3, False), (1, 1366, 3, True),
                                                   (1, 256, 2, True), (1, 9, 1, True)])
def test_small_layers_take_the_reference_kernel(rows, depth, units, fast, tmp_path, monkeypatch):
    """By default a layer of more than 2 units and fewer than W4_MIN_MACS multiply-accumulates (KWS's
    12 x 64 head, the image classifier's 10 x 64) takes the reference kernel: the fast kernel's code
    costs more flash than its cycles pay there; a larger one, or one of 1-2 units (only the fast kernel's
    narrow block: VWW's 2 x 256), takes the fast kernel."""
    from tinycc.backends.c.ops import fully_connected
    from tinycc.driver import compile_model
    monkeypatch.setattr(fully_connected, "W4_MIN_MACS", DEFAULT_W4_MIN_MACS)    # undo the fixture's 0
    path = tmp_path / "fc.tflite"
    path.write_bytes(fc_case(3, rows, depth, units))
    compile_model(path, "c", tmp_path / "out", name="model")
    invoke = (tmp_path / "out" / "model.c").read_text().split("model_invoke(")[-1]
    assert ("tinycc_fully_connected_s8_w4(" in invoke) == fast
    assert ("tinycc_fully_connected_s8(" in invoke) == (not fast)


def test_small_layer_takes_the_fast_kernel_when_a_large_one_does(tmp_path, monkeypatch):
    """Once a layer of the model takes the fast kernel its code is paid: a small layer takes it too
    (the anomaly detector's 128 x 8 and 8 x 128 layers beside its 640 x 128 ones)."""
    from tinycc.backends.c.ops import fully_connected
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    from tinycc.driver import compile_model
    monkeypatch.setattr(fully_connected, "W4_MIN_MACS", DEFAULT_W4_MIN_MACS)
    rng = np.random.default_rng(4)
    x = act("x", (1, 640), "int8", q(0.02, 3))
    h = act("h", (1, 8), "int8", q(0.05, -2))
    y = act("y", (1, 16), "int8", q(0.05, 1))
    w1 = const("w1", rng.integers(-127, 128, (8, 640)).astype(np.int8), q(np.float32(0.003), np.zeros(1)))
    w2 = const("w2", rng.integers(-127, 128, (16, 8)).astype(np.int8), q(np.float32(0.01), np.zeros(1)))
    path = tmp_path / "fc2.tflite"
    nodes = [Node("fc1", "fully_connected", ["x", "w1"], ["h"], {"activation": "relu"}),
             Node("fc2", "fully_connected", ["h", "w2"], ["y"], {"activation": "none"})]
    g = Graph("two_fc", {t.name: t for t in (x, h, y, w1, w2)}, nodes, ["x"], ["y"], source="<two fc>")
    path.write_bytes(write_tflite(validate(g)))
    compile_model(path, "c", tmp_path / "out", name="model")
    invoke = (tmp_path / "out" / "model.c").read_text().split("model_invoke(")[-1]
    assert invoke.count("tinycc_fully_connected_s8_w4(") == 2
    assert_matches_tflm(path.read_bytes(), samples=2, seed=1, c=True)


def test_fast_path_is_taken_and_plain_bias_not_emitted(tmp_path):
    _, src = write_model_c(fc_case(1, **CASES["u10-d33-rows2-per-channel-relu6"]), tmp_path)
    assert "tinycc_fully_connected_s8_w4(" in src.split("_invoke(")[-1]
    assert "model_w4" in (tmp_path / "model_weights.c").read_text()
    assert "model_w[" not in (tmp_path / "model_weights.c").read_text()


FORMULA_C = r"""
#include <stdint.h>
#include <stdio.h>
#include "tinycc_fixedpoint.h"
#include "dot_s8.h"
#include "fully_connected.h"
static uint64_t s = 88172645463325252ull;
static uint32_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (uint32_t)s; }
int main(void) {
    static const int32_t edges[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1,
                                    1 << 30, -(1 << 30), 12345, -12345, 1 << 20, -(1 << 20)};
    long bad = 0, n = 0;
    int r, i, e;
    for (r = 2; r <= 23; ++r)
    for (i = 0; i < 40000; ++i)
    for (e = 0; e < 2; ++e) {
        int32_t m = (int32_t)(next() & 0x7FFFFFFFu), acc = (int32_t)next(), rq[3];
        if (i % 7 == 0) m = (int32_t)(0x40000000u | (next() & 0x3FFFFFFFu));
        if (i < 15) acc = edges[i];
        if (i % 5 == 1) acc >>= next() % 31;
        if (i % 11 == 2) acc = (int32_t)((next() % 2000u) << (r - 1)) - 1000 * (1 << (r - 1));  /* ties */
        if (i == 15) m = 0;
        if (i == 16) m = INT32_MAX;
        {
            const int32_t zp = e ? (i % 3 ? -128 : 127) : 37 - (i % 166), lo = e ? -128 : 37, hi = 127;
            rq[0] = m, rq[1] = (1 << (r - 2)) + zp * (1 << (r - 1)), rq[2] = r - 1;
            const int32_t want = tinycc_clamp(tinycc_mbqm(acc, m, -r) + zp, lo, hi);
            const int32_t got = tinycc_fc_out(acc, rq, 1, zp, lo, hi);
            const int32_t full = e ? tinycc_fc_out(acc, rq, 2, zp, lo, hi) : want;
            if (got != want || full != want) {
                if (bad < 5) printf("acc %ld m %ld r %d: %ld %ld want %ld\n", (long)acc, (long)m, r, (long)got,
                                    (long)full, (long)want);
                ++bad;
            }
            ++n;
        }
    }
    printf("%ld of %ld differ\n", bad, n);
    return bad != 0;
}
"""


def test_one_multiply_requantisation_equals_tflm_formula(tmp_path):
    """fully_connected.h's modes 1 and 2 against TFLM's MultiplyByQuantizedMultiplier (tinycc_mbqm),
    clamped, for right shifts 2..23 and zero points from -128 to 127 on random, edge and round-half accumulators
    and multipliers."""
    import subprocess

    from tests.c_build import CC, CFLAGS
    from tinycc.backends.c.emitter import read_kernel
    for k in ("tinycc_fixedpoint.h", "dot_s8.h", "fully_connected.h"):
        (tmp_path / k).write_text(read_kernel(k))
    (tmp_path / "t.c").write_text(FORMULA_C)
    subprocess.run([CC, *CFLAGS, "-I", str(tmp_path), str(tmp_path / "t.c"), "-o", str(tmp_path / "t")], check=True)
    proc = subprocess.run([str(tmp_path / "t")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("name", list(CASES))
def test_fc_on_host_equals_tflm(name):
    assert_matches_tflm(fc_case(11, **CASES[name]), samples=3, seed=5, c=True)


@needs_qemu
@pytest.mark.parametrize("name", list(CASES))
def test_fc_dsp_branch_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(fc_case(11, **CASES[name]), tmp_path, "", 2)
