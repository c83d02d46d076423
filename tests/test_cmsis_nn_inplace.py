"""The `cmsis-nn` backend planned in place (issue 19, item 5): each CMSIS-NN twin's aliasing rule
(backends/cmsis_nn/ops/<op>.py `in_place`), exercised on a layer whose output the plan really puts
over its input, equals TF Lite Micro byte for byte: on the host (CMSIS-NN's portable C, the
generated code under ASan + UBSan) and under QEMU Cortex-M4 (its DSP kernels).

Each case is one operator between two copies (its input and output are arena intermediates the
planner may share). The test asserts the plan's decision (kind, offsets: output `gap` bytes, rounded
up to the arena alignment, before the input and overlapping it) and that the kernel the rule is
for runs (CMSIS-NN's for offset and elementwise pairs, the c kernel for costly ones). The MLPerf Tiny
models: the arena within the c backend's plus CMSIS-NN's scratch (tests/test_cmsis_nn.py runs them
against TFLM with this plan).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, CFLAGS, HARNESS
from tests.cmsis_nn_source import host_library, require_cmsis_nn
from tests.ops.cases._common import conv_out_scale, io_tensor, out_tensor, weights
from tests.ops.check import (
    SANITIZE,
    SANITIZER_ENV,
    assert_outputs_equal_tflm,
    assert_qemu_m4_equals_tflm,
    random_inputs,
)
from tests.test_inplace import check_no_overlap
from tests.tflite_builder import single_op
from tests.tflm import models_dir
from tinycc import cortexm
from tinycc.backends.c.plugin import CBackend
from tinycc.backends.cmsis_nn.plugin import CmsisNNBackend, generate
from tinycc.core import planner
from tinycc.core import samples as io
from tinycc.core.backend import arena_plan
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.ops.common import same_padding
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

QEMU = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                          reason=f"the Cortex-M toolchain and QEMU are not installed "
                                 f"(apt-get install {cortexm.PACKAGES})")


def conv(seed, hw, cin, cout, kernel, strides=(1, 1), same=True, dilations=(1, 1), act="relu"):
    rng = np.random.default_rng(seed)
    x = io_tensor(rng, "int8", (1, *hw, cin))
    w, b, w_mean = weights(rng, (cout, *kernel, cin), "int8", 0, x.quant.s)
    pads = (0, 0, 0, 0)
    if same:
        (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
        pads = (top, left, bottom, right)
    attrs = {"strides": strides, "dilations": dilations, "activation": act, "pads": pads}
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1] * cin))
    return single_op("conv_2d", [x, w, b], y, attrs)


def depthwise(seed, hw, cin, kernel, mult=1, strides=(1, 1), same=True, dilations=(1, 1), act="relu6"):
    rng = np.random.default_rng(seed)
    x = io_tensor(rng, "int8", (1, *hw, cin))
    w, b, w_mean = weights(rng, (1, *kernel, cin * mult), "int8", 3, x.quant.s)
    pads = (0, 0, 0, 0)
    if same:
        (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
        pads = (top, left, bottom, right)
    attrs = {"strides": strides, "dilations": dilations, "activation": act, "depth_multiplier": mult, "pads": pads}
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1]))
    return single_op("depthwise_conv_2d", [x, w, b], y, attrs)


def add(seed, shape):
    rng = np.random.default_rng(seed)
    a, b = io_tensor(rng, "int8", shape, "a"), io_tensor(rng, "int8", shape, "b")
    return single_op("add", [a, b], out_tensor(rng, "int8"), {"activation": "none"})


# case -> (model, the pair's kind, the CMSIS-NN kernel that runs with the overlap)
CASES = {
    # arm_convolve_s8: im2col of 2 pixels (4 on MVE), then their outputs
    "conv3x3-same": (lambda: conv(1, (9, 7), 8, 8, (3, 3)), "offset", "arm_convolve_s8"),
    "conv3x3-expanding": (lambda: conv(2, (8, 6), 4, 12, (3, 3)), "offset", "arm_convolve_s8"),
    "conv3x5-s2-valid": (lambda: conv(3, (11, 13), 6, 10, (3, 5), (2, 2), same=False), "offset", "arm_convolve_s8"),
    "conv3x3-dilated": (lambda: conv(4, (10, 9), 5, 7, (3, 3), dilations=(2, 2)), "offset", "arm_convolve_s8"),
    # arm_convolve_1x1_s8: one output row per matrix product, its input row read between the writes
    "conv1x1-s2": (lambda: conv(5, (8, 9), 8, 12, (1, 1), (2, 2), same=False), "offset", "arm_convolve_1x1_s8"),
    # arm_convolve_1_x_n_s8 (arm_convolve_s8 off MVE)
    "conv1xn": (lambda: conv(6, (1, 24), 8, 8, (1, 5)), "offset", "arm_convolve_1_x_n_s8"),
    # arm_convolve_1x1_s8_fast sweeps the whole input per output-channel pair: the c kernel's row ring
    "conv1x1-fast": (lambda: conv(7, (6, 5), 16, 16, (1, 1), same=False), "rows", None),
    # arm_depthwise_conv_3x3_s8 (arm_depthwise_conv_s8_opt on MVE)
    "dw3x3-same": (lambda: depthwise(8, (9, 7), 16, (3, 3)), "offset", "arm_depthwise_conv_3x3_s8"),
    "dw3x3-s2": (lambda: depthwise(9, (12, 10), 12, (3, 3), strides=(2, 2)), "offset", "arm_depthwise_conv_3x3_s8"),
    # arm_depthwise_conv_s8_opt (DSP: one window in the scratch; portable C: arm_depthwise_conv_s8)
    "dw5x5-same": (lambda: depthwise(10, (9, 8), 8, (5, 5)), "offset", "arm_depthwise_conv_s8_opt"),
    # arm_depthwise_conv_s8: multiplier 4 (its mult-4 loop), multiplier 2 and dilation (generic)
    "dw3x3-mult4": (lambda: depthwise(11, (7, 6), 3, (3, 3), mult=4), "offset", "arm_depthwise_conv_s8"),
    "dw3x3-mult2": (lambda: depthwise(12, (7, 6), 5, (3, 3), mult=2), "offset", "arm_depthwise_conv_s8"),
    "dw3x3-dilated": (lambda: depthwise(13, (9, 9), 6, (3, 3), dilations=(2, 2)), "offset", "arm_depthwise_conv_s8"),
    # more channels than arm_depthwise_conv_s8_opt's MVE block (124): no overlap, the c kernel's ring
    "dw3x3-128ch": (lambda: depthwise(14, (5, 4), 128, (3, 3)), "rows", None),
    # arm_elementwise_add_s8: element i of both inputs read before element i is written
    "add": (lambda: add(15, (1, 8, 8, 16)), "elementwise", "arm_elementwise_add_s8"),
}
ON_QEMU = ["conv3x3-same", "conv3x3-expanding", "conv1x1-s2", "dw3x3-same", "dw5x5-same", "dw3x3-mult4",
           "conv1x1-fast", "add"]


@pytest.fixture(scope="module")
def cmsis():
    return require_cmsis_nn()


def sandwiched(data: bytes) -> Graph:
    """The single-op model's graph with a copy before each activation input and after the output:
    the op's operands are arena intermediates, dying at it."""
    g = load_tflite(Path("case.tflite"), data)
    node = g.nodes[0]
    before, after = [], []
    for k, name in enumerate(node.inputs):
        t = g.tensors[name] if name is not None else None
        if t is None or t.is_const:
            continue
        g.tensors[f"{name}_mid"] = Tensor(f"{name}_mid", t.shape, t.dtype, t.quant)
        before.append(Node(f"copy_{name}", "reshape", [name], [f"{name}_mid"], {"shape": tuple(t.shape)}))
        node.inputs[k] = f"{name}_mid"
    y = node.outputs[0]
    t = g.tensors[y]
    g.tensors["y_mid"] = Tensor("y_mid", t.shape, t.dtype, t.quant)
    node.outputs[0] = "y_mid"
    after.append(Node("copy_out", "reshape", ["y_mid"], [y], {"shape": tuple(t.shape)}))
    g.nodes[:] = [*before, node, *after]
    return validate(g)


def planned(case: str):
    """(model bytes, graph, the cmsis-nn backend's plan, the op's in-place pair)."""
    build, kind, _ = CASES[case]
    data = build()
    g = sandwiched(data)
    plan, _ = arena_plan(CmsisNNBackend(), g)
    node = next(n for n in g.nodes if n.op != "reshape")
    pair = plan.inplace.get(node.name)
    assert pair is not None and pair.kind == kind, (case, pair)
    return data, g, plan, pair


def write(g, plan, folder: Path) -> dict:
    files, report = generate(g, plan, "model")
    for name, text in files.items():
        (folder / name).write_text(text)
    return report


@pytest.mark.parametrize("case", sorted(CASES))
def test_overlap_rule_in_the_plan_and_host_build_equals_tflm_clean_under_sanitizers(case, cmsis, tmp_path):
    data, g, plan, pair = planned(case)
    _, _, function = CASES[case]
    x, y = pair.input, pair.output
    lo_x, lo_y = plan.offsets[x], plan.offsets[y]
    nx, ny = g.tensors[x].nbytes, g.tensors[y].nbytes
    if pair.kind == "offset":        # the output starts the rule's gap (rounded up) before its input ...
        assert lo_x - lo_y == planner.align(pair.gap) and pair.gap < ny
    else:                            # ... or at its address
        assert lo_x == lo_y
    assert lo_y < lo_x + nx and lo_x < lo_y + ny, "the output really overlaps its input"
    check_no_overlap(g, plan)                       # nothing else shares their bytes
    report = write(g, plan, tmp_path)
    source = (tmp_path / "model.c").read_text()
    node = next(n for n in g.nodes if n.op != "reshape")
    if function is None:             # no CMSIS-NN overlap: the c kernel runs in place, with its ring
        assert pair.costly and node.op not in report["cmsis_nn_ops"] and "in place over its input" in source
    else:
        assert not pair.costly and node.op in report["cmsis_nn_ops"]
    exe = tmp_path / "model_test"
    proc = subprocess.run([CC, *CFLAGS, *SANITIZE, "-I", str(tmp_path), "-I", str(cmsis / "Include"),
                           str(tmp_path / "model.c"), str(tmp_path / "model_weights.c"), str(HARNESS),
                           str(host_library(cmsis)), "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(6)]
    (tmp_path / "in.bin").write_bytes(io.pack(samples, io.layout(g, g.inputs)))
    proc = subprocess.run([str(exe), str(tmp_path / "in.bin"), str(tmp_path / "out.bin"), str(len(samples))],
                          capture_output=True, text=True, env=SANITIZER_ENV, timeout=600)
    reports = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("invoke_seconds"))
    assert proc.returncode == 0 and not reports, f"status {proc.returncode}\n{reports[-3000:]}"
    outputs = io.unpack((tmp_path / "out.bin").read_bytes(), io.layout(g, g.outputs), len(samples))
    assert_outputs_equal_tflm(data, samples, outputs)


@QEMU
@pytest.mark.parametrize("case", ON_QEMU)
def test_overlap_rule_under_qemu_cortex_m4_equals_tflm(case, cmsis, tmp_path):
    data, g, plan, pair = planned(case)
    write(g, plan, tmp_path)
    assert_qemu_m4_equals_tflm(data, g, tmp_path, 3, cmsis_nn=cmsis)


MLPERF = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]


@pytest.mark.parametrize("name", MLPERF)
def test_mlperf_arena_within_the_c_backends_plus_cmsis_nn_scratch(name):
    path = models_dir() / "mlperf_tiny" / f"{name}.tflite"
    if not path.exists():
        pytest.skip(f"shared model {path.name} not found under {models_dir()} (set TINYCC_MODELS)")
    c_plan, _ = arena_plan(CBackend(), load_tflite(path))
    g = load_tflite(path)
    plan, _ = arena_plan(CmsisNNBackend(), g)
    _, report = generate(g, plan, "model")
    # the scratch of the kernels CMSIS-NN runs (costly pairs run the c kernel, without it)
    assert report["arena_bytes"] <= c_plan.arena_bytes + report["scratch_bytes"]
    assert report["arena_bytes"] < planner.place(g, {i: CmsisNNBackend().scratch_bytes(n, g)
                                                     for i, n in enumerate(g.nodes)}).arena_bytes or name == "ad01_int8"
    check_no_overlap(g, plan)
    for pair in plan.inplace.values():
        if pair.kind == "offset":
            assert plan.offsets[pair.input] - plan.offsets[pair.output] >= pair.gap
    if name != "ad01_int8":          # the convolutional ones run CMSIS-NN's kernels in place
        assert any(p.kind == "offset" and not p.costly for p in plan.inplace.values())
