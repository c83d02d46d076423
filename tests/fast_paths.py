"""The fast-path tests' shared harness: the mark that skips a test without the Cortex-M toolchain and QEMU,
the c backend's C for a model's bytes, and the Cortex-M4 check under QEMU (the fast kernel is called and
the outputs equal TF Lite Micro's)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

needs_qemu = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed")


def write_model_c(data: bytes, folder: Path):
    """The c backend's sources for a .tflite's bytes, written to `folder` (made if missing): the graph and
    model.c's text."""
    from tests.c_build import write_sources
    from tinycc.plugins.importers.tflite import load_tflite
    folder.mkdir(parents=True, exist_ok=True)
    g = load_tflite(Path("test.tflite"), data)
    write_sources(g, folder)
    return g, (folder / "model.c").read_text()


def invoke_source(data: bytes, folder: Path) -> str:
    """model.c from its invoke function on (the kernel calls the model makes), as write_model_c writes it."""
    return write_model_c(data, folder)[1].split("_invoke(")[-1]


def assert_qemu_m4_fast_path(data: bytes, folder: Path, kernel: str, samples: int = 3) -> dict:
    """The model's C (written to `folder`) holds `kernel` (e.g. "tinycc_x_s8_fast("; "": any) and, built for
    a Cortex-M4, equals TF Lite Micro under QEMU over `samples` random inputs (one model instance: state
    carries over); returns the build report."""
    from tests.ops.check import assert_qemu_m4_equals_tflm
    g, src = write_model_c(data, folder)
    assert kernel in src, kernel
    return assert_qemu_m4_equals_tflm(data, g, folder, samples)
