"""Patch-based execution (core/passes/patch.py, `tinycc compile --patch-tiles N`): the first layers
computed in row bands. The bands must give the same bytes as the whole layers (the reference
interpreter on random convolution chains with every stride, kernel, dilation and padding edge,
every prefix and band count), and the compiled shared models must stay byte-identical to TF Lite
Micro on the original model while their arena shrinks."""
from __future__ import annotations

import itertools
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.c_build import build, run_exe, write_sources
from tests.ops.check import assert_outputs_equal_tflm, assert_qemu_m4_equals_tflm, random_inputs
from tests.test_inplace import check_no_overlap, model_path
from tests.tflm import run_tflm
from tinycc.backends.c.plugin import CBackend
from tinycc.core import interpreter, ops
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.ops.common import conv_output_size, same_padding
from tinycc.core.passes import memory
from tinycc.core.passes.patch import bands, patch, stage_chain
from tinycc.core.validate import validate
from tinycc.driver import patch_model
from tinycc.plugins.importers.tflite import load_tflite


def chain_graph(rng, h: int, w: int, layers) -> Graph:
    """An int8 chain from a (1, h, w, c0) input: layers are (op, kernel, stride, dilation, pad
    mode, channels) with pad mode 'same', 'valid' or 'odd' (uneven explicit pads)."""
    c = int(rng.integers(1, 5))
    t = {"x": Tensor("x", (1, h, w, c), "int8", Quant([0.05], [int(rng.integers(-20, 20))]))}
    nodes, cur = [], "x"
    for i, (op, k, s, d, mode, co) in enumerate(layers):
        if op == "depthwise_conv_2d":
            co = c
            wshape = (1, k, k, co)
        else:
            wshape = (co, k, k, c)
        if mode == "same":
            pt, pb = same_padding(h, k, s, d)
            pl, pr = same_padding(w, k, s, d)
        elif mode == "valid":
            pt = pb = pl = pr = 0
        else:
            pt, pb, pl, pr = (int(v) for v in rng.integers(0, k, 4))
        t[f"w{i}"] = Tensor(f"w{i}", wshape, "int8", Quant(rng.uniform(0.002, 0.02, co), np.zeros(co, int),
                                                           axis=0 if op == "conv_2d" else 3),
                            rng.integers(-127, 128, wshape).astype(np.int8))
        t[f"b{i}"] = Tensor(f"b{i}", (co,), "int32", None, rng.integers(-2000, 2000, co).astype(np.int32))
        t[f"y{i}"] = Tensor(f"y{i}", (), "int8", Quant([0.04], [int(rng.integers(-30, 30))]))
        attrs = {"strides": (s, s), "dilations": (d, d), "pads": (pt, pl, pb, pr),
                 "activation": "relu" if i % 2 else "none"}
        nodes.append(Node(f"layer{i}", op, [cur, f"w{i}", f"b{i}"], [f"y{i}"], attrs))
        cur, c = f"y{i}", co
        h, w = conv_output_size(h, k, s, d, pt, pb), conv_output_size(w, k, s, d, pl, pr)
    return validate(Graph("chain", t, nodes, ["x"], [cur]))


CHAINS = [
    # (h, w, layers): strides, kernels 1/3/5, dilation, SAME/VALID/uneven pads, odd heights
    (17, 6,
     [("conv_2d", 3, 2, 1, "same", 4), ("depthwise_conv_2d", 3, 1, 1, "same", 0), ("conv_2d", 1, 1, 1, "valid", 6)]),
    (20, 5, [("conv_2d", 5, 1, 1, "odd", 3), ("depthwise_conv_2d", 3, 2, 2, "same", 0),
             ("depthwise_conv_2d", 3, 2, 1, "odd", 0), ("conv_2d", 1, 1, 1, "valid", 2)]),
    (13, 12, [("depthwise_conv_2d", 5, 1, 2, "valid", 0), ("conv_2d", 3, 2, 1, "same", 5),
             ("conv_2d", 3, 1, 1, "odd", 3)]),
    (9, 9, [("conv_2d", 3, 3, 1, "odd", 4), ("conv_2d", 3, 1, 1, "same", 4)]),
]


@pytest.mark.parametrize("case", range(len(CHAINS)))
def test_bands_give_the_same_bytes_as_the_whole_layers(case):
    rng = np.random.default_rng(case)
    h, w, layers = CHAINS[case]
    g = chain_graph(rng, h, w, layers)
    chain = stage_chain(g)
    assert chain == list(range(len(layers)))
    xs = [random_inputs(g, rng) for _ in range(2)]
    expected = [interpreter.run(g, x)[0] for x in xs]
    rows = g.tensors[g.outputs[0]].shape[1]
    for k, tiles in itertools.product(range(2, len(layers) + 1), (2, 3, 5, rows + 2)):
        p = validate(patch(g, chain, k, tiles))
        last = g.nodes[chain[k - 1]]
        concat = next(n for n in p.nodes if n.op == "concatenation")
        assert concat.outputs == last.outputs and len(concat.inputs) == min(tiles, g.tensors[last.outputs[0]].shape[1])
        assert sum(n.op == "strided_slice" for n in p.nodes) == len(concat.inputs)
        assert ops.macs(concat, p) == 0 and sum(ops.macs(n, p) for n in p.nodes) >= sum(ops.macs(n, g) for n in g.nodes)
        for x, e in zip(xs, expected):
            np.testing.assert_array_equal(interpreter.run(p, x)[0], e, err_msg=f"k={k} tiles={tiles}")


def test_bands_cover_the_rows_evenly():
    assert bands(24, 4) == [(0, 6), (6, 12), (12, 18), (18, 24)]
    assert bands(7, 3) == [(0, 2), (2, 4), (4, 7)]
    assert bands(2, 5) == [(0, 1), (1, 2)]          # never an empty band


def test_no_stage_is_a_note_and_the_graph_stays():
    rng = np.random.default_rng(0)
    g = chain_graph(rng, 8, 8, [("conv_2d", 3, 1, 1, "same", 4)])      # one layer: nothing to patch
    out = patch_model(g, 4, CBackend.plan_options)
    assert [n.name for n in out.nodes] == ["layer0"] and out.metadata.patch is None
    assert "no stage to patch" in out.metadata.notes[-1]


@pytest.mark.parametrize("rel,tiles,most", [("mlperf_tiny/vww_96_int8.tflite", 4, 27_000),
                                            ("mlperf_tiny/vww_96_int8.tflite", 8, 22_000),
                                            ("tflm_examples/person_detect.tflite", 8, 22_000)])
def test_shared_models_patched_are_bit_exact_with_tflm_in_a_smaller_arena(rel, tiles, most, tmp_path):
    path = model_path(rel)
    g = load_tflite(path)
    whole = memory.plan(load_tflite(path), **CBackend.plan_options).arena_bytes
    p = patch_model(g, tiles, CBackend.plan_options)
    info = p.metadata.patch
    assert info.tiles == tiles and info.arena_before == whole
    plan = memory.plan(p, **CBackend.plan_options)
    assert plan.arena_bytes == info.arena_after <= most < whole, (plan.arena_bytes, whole)
    check_no_overlap(p, plan)
    # the recomputed overlap is the halo: more MACs, by less than half
    assert 0 < info.extra_macs < 0.5 * info.macs_before
    data = path.read_bytes()
    rng = np.random.default_rng(11)
    samples = [random_inputs(p, rng) for _ in range(3)]
    outs = run_exe(build(p, tmp_path), p, samples)
    assert f"ARENA_BYTES {plan.arena_bytes} " in (tmp_path / "model.h").read_text()
    for xs, o in zip(samples, outs):
        for got, e in zip(o, run_tflm(data, xs)):
            np.testing.assert_array_equal(got.reshape(e.shape), e)


def test_cli_patch_tiles_reports_the_smaller_arena(tmp_path):
    path = model_path("mlperf_tiny/vww_96_int8.tflite")
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = [sys.executable, "-m", "tinycc", "compile", str(path), "--name", "vww"]
    whole = subprocess.run(run + ["-o", str(tmp_path / "whole")], env=env, capture_output=True, text=True)
    banded = subprocess.run(run + ["-o", str(tmp_path / "bands"), "--patch-tiles", "4"], env=env,
                            capture_output=True, text=True)
    assert whole.returncode == 0 and banded.returncode == 0, banded.stderr

    def arena(folder):
        return int(next(ln for ln in (folder / "vww.h").read_text().splitlines()
                        if ln.startswith("#define VWW_ARENA_BYTES")).split()[2])
    assert arena(tmp_path / "bands") < arena(tmp_path / "whole")
    said = banded.stdout + banded.stderr
    assert "patch-based execution: the first" in said and "row bands" in said
    bad = subprocess.run(run + ["-o", str(tmp_path / "bad"), "--patch-tiles", "1"], env=env, capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "at least 2 tiles" in bad.stderr and not (tmp_path / "bad").exists()


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_patched_vww_on_qemu_cortex_m4_equals_tflm(tmp_path):
    """The Cortex-M4 build takes the DSP assembly paths the host build does not."""
    path = model_path("mlperf_tiny/vww_96_int8.tflite")
    p = patch_model(load_tflite(path), 8, CBackend.plan_options)
    write_sources(p, tmp_path)
    assert_qemu_m4_equals_tflm(path.read_bytes(), p, tmp_path, 2)


def test_tflm_backend_keeps_the_model_whole_and_says_why(tmp_path):
    """TF Lite Micro plans its own arena at run time; bands would make it larger."""
    from tinycc.driver import compile_model
    path = model_path("mlperf_tiny/vww_96_int8.tflite")
    rep = compile_model(path, "tflm", tmp_path / "out", options={"patch_tiles": 4})
    assert any("not applied with the tflm backend" in n for n in rep["notes"])
    assert not any(n.startswith("patch-based execution: the first") for n in rep["notes"])


@pytest.mark.parametrize("backend", ["cmsis-nn", "microtvm"])
def test_patched_vww_through_the_other_c_backends_equals_tflm(backend, monkeypatch):
    """CMSIS-NN's kernels and microTVM's int8 path get the bands' uneven pads too."""
    from tests.cmsis_nn_source import cmsis_nn_root
    from tinycc.driver import patch_for_backend
    from tinycc.plugins.runtimes.c_host import HostRuntime
    path = model_path("mlperf_tiny/vww_96_int8.tflite")
    if backend == "cmsis-nn":
        root = cmsis_nn_root()
        if root is None:
            pytest.skip("CMSIS-NN is not available "
                        "(set CMSIS_NN_PATH, or allow pip to download aidge-export-arm-cortexm)")
        monkeypatch.setenv("CMSIS_NN_PATH", str(root))
    runtime = HostRuntime(backend, backend)
    if runtime.available():
        pytest.skip(runtime.available())
    p = patch_for_backend(load_tflite(path), backend, 4)
    assert p.metadata.patch.layers >= 2
    samples = [random_inputs(p, np.random.default_rng(k)) for k in range(2)]
    assert_outputs_equal_tflm(path.read_bytes(), samples, runtime.run_many(p, samples))
