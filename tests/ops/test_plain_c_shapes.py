"""The plain-C int8 kernels in both loop shapes (backends/c/kernels/common/vec.h) against TF Lite Micro.

TINYCC_VEC picks the shape of the kernels a core without the DSP extension runs: 1 (the default where the
compiler targets a vector unit, as on this host) fixed-trip loops over 8 or 16 bytes that compilers
vectorise, 0 (the default elsewhere: Cortex-M0+/M3, RISC-V without V, Xtensa) the scalar loops. The host
tests of the fast paths build with the default only; here each case is built with -DTINYCC_VEC=0 and
with -DTINYCC_VEC=1 and both outputs must equal TFLM's byte for byte. The cases hit the vector shapes'
edges: im2col convolutions with an odd number of 4-tap groups (the half block past 4 k4, the patch after
it), a lone last pixel and a lone last channel; depthwise 3x3 with 16-channel passes, an 8-channel pass
and the channels past them (4-channel groups and a remainder), both requantisation forms, strides 1 and
2, border patches; fully connected with depths that are not a multiple of 4 and last blocks of 1 to 3
units.
"""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, build, run_exe
from tests.ops.check import random_inputs
from tests.ops.test_conv_fast_paths import CASES as CONV_CASES
from tests.ops.test_conv_fast_paths import _model as conv_model
from tests.ops.test_depthwise_fast_paths import dw
from tests.ops.test_fc_fast_paths import CASES as FC_CASES
from tests.ops.test_fc_fast_paths import fc_case
from tests.tflm import run_tflm
from tinycc.backends.c import kernel_units
from tinycc.plugins.importers.tflite import load_tflite

CONV = ["1x1-odd-pixels-odd-cout", "1x1-cin-not-mult4", "1x1-expand-c8-to-20-odd", "3x3-same-c3-ic-first",
        "3x3-same-c64-k576", "10x4-kws-first", "3x3-vww-first-odd-width", "2x3-asym-stride-odd",
        "3x2-L14-valid-odd-cout", "3x3-L9-valid-odd-relu"]
DW = {   # depthwise 3x3 (packed filter): 16-channel passes, then 8, then the rest
    "c29-16-8-rest": dict(h=5, w=14, cin=29, in_zp=-128, act_fn="relu"),
    "c24-16-8-s2": dict(h=7, w=9, cin=24, strides=(2, 2), in_zp=127),
    "c40-rq2": dict(h=4, w=16, cin=40, eff=0.6 * 2.0 ** -21, per_channel=False, out_zp=-128, in_zp=-128),
    "c8-border-only": dict(h=2, w=2, cin=8),
    "c131-patch-chunks": dict(h=3, w=4, cin=131, in_zp=-128, act_fn="relu"),
    "c13-pairs": dict(h=4, w=15, cin=13, act_fn="relu6"),
}
FC = ["u1-d9-rows2", "u6-d7-rows2-per-channel", "u3-d3-zp127", "u7-d15-per-channel", "u130-d641-rows2",
      "mode0-per-channel-mixed", "u4-d4000-micro-speech-like"]


def _models():
    for name in CONV:
        yield f"conv-{name}", conv_model(name)
    for name, kw in DW.items():
        yield f"dw-{name}", dw(41, **kw)
    for name in FC:
        yield f"fc-{name}", fc_case(23, **FC_CASES[name])


MODELS = dict(_models())


@pytest.fixture(autouse=True)
def _fast_fc_on_small_layers(monkeypatch):
    """The cases are small layers, below the size from which the c backend takes the fast fully connected
    kernel (fully_connected.W4_MIN_MACS): forced here, so that they reach it."""
    from tinycc.backends.c.ops import fully_connected
    monkeypatch.setattr(fully_connected, "W4_MIN_MACS", 0)


@pytest.mark.parametrize("name", list(MODELS))
def test_both_plain_c_shapes_equal_tflm(name, tmp_path):
    model = MODELS[name]
    g = load_tflite(Path("test.tflite"), model)
    rng = np.random.default_rng(5)
    samples = [random_inputs(g, rng) for _ in range(2)]
    expected = [run_tflm(model, xs)[0] for xs in samples]
    for vec in (0, 1):
        work = tmp_path / f"vec{vec}"
        work.mkdir()
        outs = run_exe(build(g, work, extra_flags=[f"-DTINYCC_VEC={vec}"]), g, samples)
        for k, want in enumerate(expected):
            np.testing.assert_array_equal(outs[k][0].reshape(want.shape), want,
                                          err_msg=f"{name}: TINYCC_VEC={vec}, sample {k}")


def test_the_cases_take_the_fast_kernels():
    """The models above reach the kernels whose shapes are under test (else they would test nothing)."""
    import tempfile

    from tests.c_build import write_sources
    want = {"conv": "tinycc_conv_2d_s8_cols", "dw": "tinycc_depthwise_conv_2d_s8_",
            "fc": "tinycc_fully_connected_s8_w4"}
    assert all(n.split("-")[0] in want for n in MODELS)
    for name, model in MODELS.items():
        if name in {f"conv-{n}" for n in CONV if not CONV_CASES[n][1]}:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            write_sources(load_tflite(Path("test.tflite"), model), Path(tmp))
            invoke = (Path(tmp) / "model.c").read_text().split("model_invoke", 1)[-1]
        assert want[name.split("-")[0]] in invoke, name


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="the default checked is x86-64's")
def test_the_default_shape_is_the_vector_one_on_x86_64(tmp_path):
    """x86-64 always has SSE2: vec.h's default there is 1 (the -O2 benchmark of benchmarks/bench_host.py)."""
    (tmp_path / "v.c").write_text(kernel_units.read_unit("dot_s8.h").split("/* int8 dot products")[0] +
                                  "int tinycc_vec = TINYCC_VEC;\n")
    out = subprocess.run([CC, "-std=c99", "-O2", "-E", str(tmp_path / "v.c")], capture_output=True, text=True,
                         check=True).stdout
    assert "int tinycc_vec = 1;" in out
