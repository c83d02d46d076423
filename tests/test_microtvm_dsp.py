"""The microtvm backend's int8 DSP schedules (backends/microtvm/dsp.py) where they run for real.

- The epilogue helpers every DSP schedule calls (micro_kernels.py: tinycc_tvm_requant, its
  right-shift-only variant and the one-shift _e variant with requant_plan's arrays), built on the
  host with -Werror (and UBSan when the compiler has it),
  equal TF Lite Micro's MultiplyByQuantizedMultiplier + zero point + clamp (tinycc.core.fixedpoint)
  on edge and random accumulators, every shift TFLM's int8 kernels use and INT32_MIN multipliers.
- A small int8 model with conv_2d, depthwise_conv_2d (padded) and fully_connected through microtvm
  (the cols kernels, the row depthwise one, the padding copies, the one-shift
  requantisation), built for a Cortex-M4 and run under QEMU (mps2-an386): the firmware's TVM
  kernels execute SMLAD (the DSP path of the micro-kernels, which host builds never take) and its
  outputs equal TF Lite Micro's byte for byte on several random inputs.
- Constant channels recast for the one-shift epilogue (micro_kernels.constant_channels) equal TFLM on
  every reachable sum.
- Single-operator models on the shapes that reach every branch of the cols and row-depthwise kernels
  (EDGE_MODELS), under QEMU and on the host with ASan + UBSan, equal TFLM.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, CFLAGS, HARNESS, run_exe
from tests.ops.check import SANITIZE, random_inputs
from tests.tflm import run_tflm
from tinycc import cortexm
from tinycc.core.fixedpoint import multiply_by_quantized_multiplier

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _cases(seed: int = 0, n: int = 4000):
    rng = np.random.default_rng(seed)
    acc = rng.integers(INT32_MIN, INT32_MAX, n, endpoint=True)
    acc[: n // 2] = rng.integers(-(1 << 20), 1 << 20, n // 2)
    acc[:10] = [0, -1, 1, INT32_MIN, INT32_MAX, 1 << 30, -(1 << 30), 12345, -12345, 255]
    mult = rng.integers(1 << 30, INT32_MAX, n, endpoint=True)
    mult[:3] = [1 << 30, INT32_MAX, 0]
    shift = rng.integers(-31, 31, n)
    return acc, mult, shift


def _expected(acc, mult, shift, zp, lo, hi):
    v = multiply_by_quantized_multiplier(acc.astype(np.int32), mult.astype(np.int32), shift.astype(np.int32))
    return np.clip(v.astype(np.int64) + zp, lo, hi)


def _run_helpers(tmp_path: Path, rows: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, int, int, int]]):
    from tinycc.backends.microtvm.micro_kernels import PRELUDE
    def array(name: str, values) -> str:
        literals = ", ".join("(-2147483647 - 1)" if int(v) == INT32_MIN else str(int(v)) for v in values)
        return f"static const int32_t {name}[{len(values)}] = {{{literals}}};\n"
    body = [array(f"a{k}", row[1]) + array(f"m{k}", row[2]) + array(f"s{k}", row[3]) for k, row in enumerate(rows)]
    calls = "".join(f"    for (i = 0; i < {acc.size}; ++i) printf(\"%ld\\n\", (long){fn}(a{k}[i], m{k}[i], s{k}[i], "
                    f"{zp}, {lo}, {hi}));\n" for k, (fn, acc, mult, shift, zp, lo, hi) in enumerate(rows))
    src = tmp_path / "requant.c"
    src.write_text("#include <stdint.h>\n#include <stdio.h>\n" + PRELUDE + "".join(body)
                   + f"int main(void) {{\n    int i;\n{calls}    return 0;\n}}\n")
    exe = tmp_path / "requant"
    ubsan = ["-fsanitize=undefined", "-fno-sanitize-recover=undefined"]
    proc = subprocess.run([CC, *CFLAGS, *ubsan, str(src), "-o", str(exe)], capture_output=True, text=True)
    if proc.returncode != 0:       # a compiler without UBSan: the plain build
        proc = subprocess.run([CC, *CFLAGS, str(src), "-o", str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = subprocess.run([str(exe)], capture_output=True, text=True)
    assert run.returncode == 0 and not run.stderr, run.stderr[-2000:]
    return np.array([int(v) for v in run.stdout.split()], np.int64)


def test_requant_helpers_equal_tflm_multiply_by_quantized_multiplier(tmp_path):
    from tinycc.backends.microtvm.micro_kernels import requant_plan
    acc, mult, shift = _cases()
    right = np.minimum(shift, 0)             # the _r variant's domain: right shifts, multipliers > INT32_MIN
    mult_min = mult.copy()
    mult_min[:40] = INT32_MIN                # the general one saturates INT32_MIN x INT32_MIN as TFLM does
    rows = [("tinycc_tvm_requant", acc, mult_min, shift, -128, -128, 127),
            ("tinycc_tvm_requant", acc, mult, shift, 5, -100, 90),
            ("tinycc_tvm_requant_r", acc, mult, right, -128, -128, 127),
            ("tinycc_tvm_requant_r", acc, mult, right, 17, -128, 6)]
    want = [_expected(a, m, s, zp, lo, hi) for _, a, m, s, zp, lo, hi in rows]
    # the _e helper, with requant_plan's (2M - 2^32, e) arrays, where the plan takes it
    bounded = np.clip(acc, -(1 << 24), 1 << 24)
    for zp, top, lo, hi in ((-128, 22, -128, 127), (0, 31, -128, 127), (-1, 31, -20, 100), (100, 20, -128, 127)):
        e = 1 + np.arange(acc.size) % top
        p = {"multiplier": mult[3:], "shift": -e[3:], "output_zp": zp}
        helper, m2, e2 = requant_plan(p, np.array([0]), (1 << 24) // (1 << 14) - 1)
        assert helper == "tinycc_tvm_requant_e", (zp, top)
        rows.append((helper, bounded[3:], m2, e2, zp, lo, hi))
        want.append(_expected(bounded[3:], mult[3:], -e[3:], zp, lo, hi))
    # a zero multiplier, a sum leaving int32 (h = 255 * 2^30), a left shift: the general helpers
    plan = lambda m, sh: requant_plan({"multiplier": m, "shift": sh, "output_zp": -128}, np.array([0]), 8)[0]  # noqa: E731
    assert plan(mult, -np.full(mult.size, 7)) == "tinycc_tvm_requant_r"
    assert plan(mult[3:], -np.full(mult.size - 3, 31)) == "tinycc_tvm_requant_r"
    assert plan(mult[3:], np.full(mult.size - 3, 2)) == "tinycc_tvm_requant"
    got = _run_helpers(tmp_path, rows)
    want = np.concatenate(want)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    assert len(np.unique(want)) > 100           # not a clamp to one value


def test_metadata_names_the_schedules_used():
    """metadata.json's tir_options.schedule says DSP schedules with dsp=1 (the default), not with dsp=0."""
    pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    import json

    from tinycc.backends.microtvm.plugin import generate
    from tinycc.plugins.importers.tflite import load_tflite
    g = load_tflite(Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite")
    for opt, present, absent in (("dsp=1", "SXTB16 + SMLAD", "x"), ("dsp=0", "per-element", "SMLAD")):
        files, _ = generate(g, "model", [opt])
        schedule = json.loads(files["metadata.json"])["tir_options"]["schedule"]
        assert present in schedule and (absent == "x" or absent not in schedule), (opt, schedule)


needs_qemu = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
    reason=f"the Cortex-M toolchain and QEMU are not installed (apt-get install {cortexm.PACKAGES})")


@needs_qemu
def test_dsp_schedules_under_qemu_cortex_m4_equal_tflm(tmp_path):
    pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    path = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
    g = load_tflite(path)
    assert {"conv_2d", "depthwise_conv_2d", "fully_connected"} <= {n.op for n in g.nodes}
    out = tmp_path / "out"
    compile_model(path, "microtvm", out, name="model")
    src = (out / "model.c").read_text()
    for kernel in ("tinycc_cols_s8_", "tinycc_dw_s8_row", "tinycc_tvm_requant", "tinycc_tvm_pad_row"):
        assert kernel in src, kernel
    built = cortexm.build(out, "cortex-m4")
    dis = subprocess.run([cortexm._tool("arm-none-eabi-objdump"), "-d", "--no-show-raw-insn", built["elf"]],
                         capture_output=True, text=True, check=True).stdout
    tvm_code = "\n".join(block for block in dis.split("\n\n") if "<tvmgen_model_" in block.split("\n", 1)[0]
                         or "<tinycc_cols_s8" in block.split("\n", 1)[0] or "<tinycc_dw_s8" in block.split("\n", 1)[0])
    assert "smlad" in tvm_code and "sxtb16" in tvm_code        # the DSP path, not the plain C one
    rng = np.random.default_rng(3)
    samples = [random_inputs(g, rng) for _ in range(6)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs = cortexm.run(built["elf"], "qemu-cortex-m4", samples, layout)
    data = path.read_bytes()
    for k, (sample, got) in enumerate(zip(samples, outs)):
        want = run_tflm(data, sample)[0]
        np.testing.assert_array_equal(np.asarray(got[0]).reshape(-1), want.reshape(-1), err_msg=f"sample {k}")


def test_constant_channels_recast_for_the_one_shift_epilogue_equal_tflm(tmp_path):
    """micro_kernels.constant_channels: channels whose TFLM output cannot vary over the reachable sums (a dead
    channel, M = 0 with a huge bias; a shift of -31; a sum saturating the clamp) get M = 2^30, one shift and a
    new bias, after which requant_plan takes the one-shift helper for the layer (it could not before); the
    helper built in C gives TFLM's value on every reachable sum (both ends and random ones) for every
    channel, the live ones left untouched."""
    from tinycc.backends.microtvm.micro_kernels import constant_channels, requant_plan
    rng = np.random.default_rng(7)
    co, taps = 6, 27
    w = rng.integers(-128, 128, (co, taps))
    w[3] = 0                                   # a channel with no weights: constant too
    bias = rng.integers(-5000, 5000, co)
    bias[0] = 1 << 30                           # dead channel (M = 0): TFLM outputs zp
    bias[4] = 1 << 29                           # huge bias: saturates at 127 whatever the sum
    mult = np.array([0, 1 << 30, 1500000000, 1200000000, 1900000000, 1100000000])
    shift = np.array([0, -31, -9, -8, -7, -10])
    p = {"multiplier": mult, "shift": shift, "output_zp": -128, "act_min": -128, "act_max": 127}
    assert requant_plan(p, bias, taps)[0] != "tinycc_tvm_requant_e"
    q, bias2 = constant_channels(p, bias, w)
    changed = np.flatnonzero(np.asarray(q["shift"]) != shift)
    assert list(changed) == [0, 1, 3, 4]
    np.testing.assert_array_equal(bias2[[2, 5]], bias[[2, 5]])
    helper, m2, e2 = requant_plan(q, bias2, taps)
    assert helper == "tinycc_tvm_requant_e"
    s_lo = np.minimum(-128 * w, 127 * w).sum(axis=1)
    s_hi = np.maximum(-128 * w, 127 * w).sum(axis=1)
    rows, want = [], []
    for c in range(co):
        sums = np.concatenate([[s_lo[c], s_hi[c], 0], rng.integers(s_lo[c], s_hi[c] + 1, 300)])
        rows.append((helper, sums + bias2[c], np.full(sums.size, m2[c]), np.full(sums.size, e2[c]), -128, -128, 127))
        want.append(_expected(sums + bias[c], np.full(sums.size, mult[c]), np.full(sums.size, shift[c]), -128, -128,
                              127))
    got = _run_helpers(tmp_path, rows)
    np.testing.assert_array_equal(got, np.concatenate(want))
    assert len(np.unique(np.concatenate(want[2:3]))) > 20     # a live channel really varies


def _edge_model(op: str, hw, ci, co, kernel, strides, pads_same: bool, activation: str, out_scale: float,
                dil=(1, 1), wmax: int = 127) -> bytes:
    """One int8 conv_2d / depthwise_conv_2d / fully_connected with per-channel weights (conv) over the
    int8 extremes, SAME or VALID padding."""
    from tests.tflite_builder import act, const, q, single_op
    from tinycc.core.ops.common import same_padding
    rng = np.random.default_rng(0)
    if op == "fully_connected":
        x = act("x", (1, ci), "int8", q(0.05, -3))
        w = const("w", rng.integers(-127, 128, (co, ci)).astype(np.int8), q(0.01))
        b = const("b", rng.integers(-3000, 3000, co).astype(np.int32), q(0.05 * 0.01))
        return single_op(op, [x, w, b], act("y", (), "int8", q(out_scale, 7)), {"activation": activation})
    x = act("x", (1, *hw, ci), "int8", q(0.05, 5))
    depthwise = op == "depthwise_conv_2d"
    shape = (1, *kernel, co) if depthwise else (co, *kernel, ci)
    scales = rng.uniform(0.004, 0.02, co)
    w = const("w", rng.integers(-wmax, wmax + 1, shape).astype(np.int8), q(scales, np.zeros(co, np.int64),
                                                                      3 if depthwise else 0))
    b = const("b", rng.integers(-4000, 4000, co).astype(np.int32), q(0.05 * scales, np.zeros(co, np.int64)))
    if pads_same:
        (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], dil[i]) for i in (0, 1))
    else:
        top = bottom = left = right = 0
    attrs = {"strides": strides, "dilations": dil, "activation": activation, "pads": (top, left, bottom, right)}
    if depthwise:
        attrs["depth_multiplier"] = 1
    return single_op(op, [x, w, b], act("y", (), "int8", q(out_scale, -9)), attrs)


EDGE_MODELS = {
    # 3 input channels (a patch's 4-tap groups cross kernel rows: gathered), 5 output channels (an odd
    # last one), 7 pixels a row (an odd last pixel), SAME padding, relu6 (a clamp inside int8)
    "conv3x3_ci3_co5_w7_relu6": ("conv_2d", (5, 7), 3, 5, (3, 3), (1, 1), True, "relu6", 0.08),
    # stride 2 with padding, whole words a kernel row (8 channels), small weights and a left shift (the
    # general helper)
    "conv3x3_s2_ci8_co6_leftshift": ("conv_2d", (9, 9), 8, 6, (3, 3), (2, 2), True, "none", 0.00025, (1, 1), 1),
    # pointwise: the image as one row of 15 pixels, 7 output channels
    "conv1x1_ci12_co7": ("conv_2d", (3, 5), 12, 7, (1, 1), (1, 1), False, "relu", 0.05),
    # depthwise: SAME padding (the padded pixels), an odd row; and VALID stride 2 dilation 2 (unpadded)
    "dw3x3_ci12_w5_same": ("depthwise_conv_2d", (4, 5), 12, 12, (3, 3), (1, 1), True, "none", 0.03),
    "dw3x3_s2_d2_ci8_valid": ("depthwise_conv_2d", (9, 11), 8, 8, (3, 3), (2, 2), False, "relu", 0.03, (2, 2)),
    # rows of 2,688 bytes: taps past LDR's 4 KB immediate offsets take the C path, one pixel a block
    "dw3x3_ci64_w40_wide_rows": ("depthwise_conv_2d", (3, 40), 64, 64, (3, 3), (1, 1), True, "none", 0.03),
    # fully connected: one pixel (1 x 4, 1 x 2 blocks and the odd last unit)
    "fc_20_to_7": ("fully_connected", None, 20, 7, None, None, False, "none", 0.2),
}


@needs_qemu
def test_cols_and_depthwise_kernels_edge_shapes_under_qemu_equal_tflm(tmp_path, monkeypatch):
    """The cols and row-depthwise micro-kernels' DSP paths (inline assembly; host builds take the plain C)
    on the shapes that reach every branch (EDGE_MODELS: odd pixels and channels, gathered patches, stride,
    dilation, padding, a clamp inside int8, a left shift), built for a Cortex-M4 and run under QEMU: each
    model's outputs equal TF Lite Micro's byte for byte on random inputs and the int8 extremes; the same
    C built for the host with ASan + UBSan (the plain C paths) gives the same bytes."""
    pytest.importorskip("tvm", reason="the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    from tinycc.driver import compile_model
    from tinycc.plugins.importers.tflite import load_tflite
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0:halt_on_error=1")    # the harness's buffers
    for name, spec in EDGE_MODELS.items():
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(_edge_model(*spec))
        g = load_tflite(path)
        out = tmp_path / name
        compile_model(path, "microtvm", out, name="model")
        src = (out / "model.c").read_text()
        assert ("tinycc_dw_s8_row" if "dw" in name else "tinycc_cols_s8_") in src, name
        built = cortexm.build(out, "cortex-m4")
        rng = np.random.default_rng(11)
        (x_name,) = g.inputs
        shape = g.tensors[x_name].shape
        samples = [random_inputs(g, rng) for _ in range(3)]
        samples += [[np.full(shape, v, np.int8)] for v in (-128, 127)]
        layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
        outs = cortexm.run(built["elf"], "qemu-cortex-m4", samples, layout)
        data = path.read_bytes()
        values = set()
        for k, (sample, got) in enumerate(zip(samples, outs)):
            want = run_tflm(data, sample)[0]
            np.testing.assert_array_equal(np.asarray(got[0]).reshape(-1), want.reshape(-1), err_msg=f"{name} {k}")
            values |= set(want.reshape(-1).tolist())
        assert len(values) > 3, name                     # not one clamped value
        # the plain C paths on the host under ASan + UBSan, the same samples
        exe = out / "host_test"
        cmd = [CC, *[f for f in CFLAGS if f != "-O2"], *SANITIZE, "-I", str(out), *sorted(map(str, out.glob("*.c"))),
               str(HARNESS), "-o", str(exe), "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
        host = run_exe(exe, g, samples)
        for k, (sample, got) in enumerate(zip(samples, host)):
            np.testing.assert_array_equal(got[0].reshape(-1), run_tflm(data, sample)[0].reshape(-1),
                                          err_msg=f"{name} host {k}")
