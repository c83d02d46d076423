"""Every shared int8 model on the cores beyond Cortex-M4: the c backend's code cross-compiled for
RISC-V RV32IMC (qemu-system-riscv32 virt) and for Cortex-M0+ (ARMv6-M: no DSP, no hardware divide;
run on mps2-an385) gives TF Lite Micro's bytes. One input per model keeps the module within CI's
budget; tests/test_cortexm.py runs more on the Cortex-M4."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.c_build import write_sources
from tests.ops.check import assert_outputs_equal_tflm, random_inputs
from tests.test_cortexm import INT8_MODELS
from tests.tflm import models_dir
from tinycc import cortexm
from tinycc.plugins.importers.tflite import load_tflite

CORES = ["rv32imc", "cortex-m0plus"]


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("rel", INT8_MODELS)
def test_c_backend_on_the_core_equals_tflm(rel, core, tmp_path):
    t = cortexm.TARGETS[core]
    missing = [p for p in (t.compiler, t.qemu) if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install {' '.join(t.packages)})")
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    g = load_tflite(path)
    write_sources(g, tmp_path)
    report = cortexm.build(tmp_path, core)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in (7, 8)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    assert_outputs_equal_tflm(path.read_bytes(), xs, cortexm.run(report["elf"], core, xs, layout))
    assert report["flash_bytes"] > 0 and report["target"] == core
