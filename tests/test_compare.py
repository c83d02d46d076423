"""`tinycc compare`: runtimes agree where they should, a wrong one is caught, and `--per-layer`
names the layer where it goes wrong."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.tflm import models_dir
from tinycc import cortexm
from tinycc.compare import compare, random_samples
from tinycc.core import interpreter
from tinycc.core.hookspec import hookimpl
from tinycc.core.plugins import build_registry, registry
from tinycc.plugins.importers.tflite import load_tflite


@pytest.mark.parametrize("rel", ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_int8.tflite"])
def test_reference_tflm_and_c_are_bit_exact(rel, tmp_path):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compare", str(path), "--runtimes", "reference,tflm,c",
                           "--samples", "3", "--json", str(tmp_path / "c.json")], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "c.json").read_text())
    assert result["baseline"] == "reference" and {r["runtime"] for r in result["results"]} == {"tflm", "c"}
    assert all(r["bit_exact"] and r["max_abs_error"] == 0 for r in result["results"])
    assert proc.stdout.count("yes") == 2


def tinycc(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tinycc", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _needs_tvm_and_litert() -> None:
    if not _has("tvm"):
        pytest.skip("the tvm extra is not installed (pip install 'tinycc-ml[tvm]')")
    if not _has("ai_edge_litert"):
        pytest.skip("the tflite extra is not installed (pip install 'tinycc-ml[tflite]')")


def test_every_int8_runtime_agrees_with_the_reference_on_kws(tmp_path):
    """LiteRT's reference kernels, TFLM, the c and microtvm backends' C: byte for byte. LiteRT's
    optimised kernels (single rounding) are reported, not required to be exact."""
    path = models_dir() / "mlperf_tiny/kws_ref_model.tflite"
    if not path.exists():
        pytest.skip(f"shared model not found under {models_dir()} (set TINYCC_MODELS)")
    _needs_tvm_and_litert()
    proc = tinycc("compare", str(path), "--runtimes", "reference,tflm,tflite-ref,tflite,c,microtvm", "--samples", "4",
                  "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    rows = {r["runtime"]: r for r in json.loads((tmp_path / "r.json").read_text())["results"]}
    assert set(rows) == {"tflm", "tflite-ref", "tflite", "c", "microtvm"}
    for name in ("tflm", "tflite-ref", "c", "microtvm"):
        assert rows[name]["bit_exact"] and rows[name]["mismatches"] == 0, name
    assert rows["tflite"]["elements"] == 4 * 12 and rows["tflite"]["max_abs_error"] <= 2


def test_float_onnx_model_across_onnxruntime_tvm_litert_and_c(tmp_path):
    """Float paths: every runtime within 1e-5 of the reference (float32 summation order differs)."""
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
    _needs_tvm_and_litert()
    from tests.test_onnx import small_cnn
    small_cnn(tmp_path / "cnn.onnx")
    runtimes = "reference,onnxruntime,tvm,tflm,tflite,tflite-ref,c,microtvm"
    proc = tinycc("compare", str(tmp_path / "cnn.onnx"), "--runtimes", runtimes, "--samples", "3", "--per-layer",
                  "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["skipped"] == {}
    assert {r["runtime"] for r in result["results"]} == set(runtimes.split(",")) - {"reference"}
    for r in result["results"]:
        assert r["max_abs_error"] < 1e-5 and r["top1_agreement"] == 1.0, r
    per_layer = result["per_layer"]
    assert per_layer["onnxruntime"] == {"skipped": "onnxruntime does not expose intermediate tensors"}
    for name in ("tvm", "tflm", "tflite", "c", "microtvm"):
        assert per_layer[name]["first_divergence"] is None and len(per_layer[name]["layers"]) == 8, name


def test_runtimes_that_cannot_run_a_model_are_skipped_with_a_reason():
    proc = tinycc("compare", "examples/tiny_kws_int8.tflite", "--runtimes", "reference,onnxruntime,tvm,cmsis-nn,c",
                  "--samples", "2", env={"CMSIS_NN_PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert "skipped onnxruntime: onnxruntime runs .onnx files; this model came from tflite" in proc.stdout
    if _has("tvm"):
        assert "skipped tvm: the tvm runtime runs float32 models; run int8 models with microtvm" in proc.stdout
    else:
        assert "skipped tvm: apache-tvm is not importable (No module named 'tvm'); pip install 'tinycc-ml[tvm]'" \
            in proc.stdout
    assert "skipped cmsis-nn: CMSIS-NN sources not found: set CMSIS_NN_PATH" in proc.stdout


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason=f"the Cortex-M toolchain and QEMU are not installed (apt-get install {cortexm.PACKAGES})")
def test_qemu_cortex_m4_runtimes_are_bit_exact_layer_by_layer(tmp_path):
    from tests.cmsis_nn_source import cmsis_nn_root
    env = {}
    runtimes = "reference,c-qemu-m4" + (",microtvm-qemu-m4" if _has("tvm") else "")   # microtvm: the tvm extra
    root = cmsis_nn_root()
    if root is not None:             # CMSIS-NN is fetched at test time; without it, that runtime is skipped
        env["CMSIS_NN_PATH"] = str(root)
        runtimes += ",cmsis-nn,cmsis-nn-qemu-m4"
    proc = tinycc("compare", "examples/tiny_kws_int8.tflite", "--runtimes", runtimes, "--samples", "3", "--per-layer",
                  "--json", str(tmp_path / "r.json"), env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert {r["runtime"] for r in result["results"]} == set(runtimes.split(",")) - {"reference"}
    assert all(r["bit_exact"] for r in result["results"])
    for name, layers in result["per_layer"].items():
        assert layers["first_divergence"] is None and len(layers["layers"]) == 7, name


class Perturbed:
    """A deliberately wrong runtime: the reference with one output element off by one."""
    name = "perturbed"

    def available(self):
        return None

    def run(self, g, inputs):
        outs = [o.copy() for o in interpreter.run(g, inputs)]
        flat = outs[0].reshape(-1)
        flat[0] = np.int8(flat[0]) ^ np.int8(1)
        return outs


def test_a_wrong_runtime_is_caught():
    g = load_tflite("examples/tiny_kws_int8.tflite")
    samples = random_samples(g, 4, seed=1)
    result = compare(g, [registry().get("runtime", "reference"), Perturbed()], samples)
    (row,) = result["results"]
    assert row["runtime"] == "perturbed" and not row["bit_exact"]
    assert row["mismatches"] == 4 and row["max_abs_error"] == 1.0


class OneLayerOff:
    """A test plugin: a runtime that gets one layer wrong (its first element off by one, the
    error then flowing on through the layers after it), registered like a third party's."""

    def __init__(self, layer: str):
        self.name, self.layer = "one-layer-off", layer

    def available(self):
        return None

    def _run(self, g, inputs):
        def after(node, outs):
            if node.name != self.layer:
                return outs
            y = np.array(outs[0], copy=True)
            y.reshape(-1)[0] = y.reshape(-1)[0] - 1 if y.reshape(-1)[0] > -128 else -127
            return [y, *outs[1:]]
        return interpreter.Interpreter(g).run(inputs, keep_all=True, after=after)

    def run(self, g, inputs):
        return self._run(g, inputs)[0]

    def run_layers(self, g, inputs):
        return self._run(g, inputs)[1]

    @hookimpl
    def tinycc_runtimes(self):
        return [self]


def test_per_layer_names_the_layer_a_wrong_runtime_breaks():
    g = load_tflite("examples/tiny_kws_int8.tflite")
    wrong = g.nodes[2]                       # pw2, a convolution in the middle
    reg = build_registry(extra_plugins=(OneLayerOff(wrong.name),))
    runtimes = [reg.get("runtime", "reference"), reg.get("runtime", "one-layer-off"), reg.get("runtime", "tflm")]
    result = compare(g, runtimes, random_samples(g, 3, seed=2), per_layer=True)
    first = result["per_layer"]["one-layer-off"]["first_divergence"]
    assert (first["layer"], first["op"], first["index"]) == (wrong.name, "conv_2d", 2)
    assert first["max_abs_error"] == 1 and first["mismatches"] == 3
    rows = result["per_layer"]["one-layer-off"]["layers"]
    assert [r["diverges"] for r in rows[:2]] == [False, False]
    assert result["per_layer"]["tflm"]["first_divergence"] is None


def test_unknown_runtime_is_a_clear_error():
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compare", "examples/tiny_kws_int8.tflite", "--runtimes",
                           "reference,quantum"], capture_output=True, text=True)
    assert proc.returncode == 2 and "no runtime named 'quantum'" in proc.stderr
