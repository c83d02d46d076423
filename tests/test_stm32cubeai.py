"""The `stm32cubeai` backend: an X-CUBE-AI style stub that runs as it is.

- Its `ai_NAME_run` (over tinycc's C) gives TF Lite Micro's bytes (host build, random inputs).
- Its Makefile builds for the Cortex-M4 part with arm-none-eabi-gcc and the ELF runs under QEMU.
- The report JSON carries RAM (arena), ROM (weights) and MACC as tinycc computes them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from ops.check import random_inputs
from tflm import models_dir, run_tflm
from tinycc.core import ops, planner
from tinycc.plugins.importers.tflite import load_tflite

HOST_MAIN = r"""
#include <stdio.h>
#include "{name}.h"
static unsigned char in_data[AI_{N}_IN_1_SIZE_BYTES], out_data[AI_{N}_OUT_1_SIZE_BYTES];
int main(int argc, char **argv) {{
    ai_handle net;
    ai_buffer in = {{ in_data, sizeof in_data }}, out = {{ out_data, sizeof out_data }};
    ai_network_params params = {{ {{ 0, 0 }} }};
    FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");
    (void)argc;
    if (!fi || !fo || ai_{name}_create(&net, 0).type != AI_ERROR_NONE || !ai_{name}_init(net, &params)) return 1;
    while (fread(in_data, 1, sizeof in_data, fi) == sizeof in_data) {{
        if (ai_{name}_run(net, &in, &out) != 1) return 2;
        fwrite(out_data, 1, sizeof out_data, fo);
    }}
    fclose(fi);
    fclose(fo);
    return 0;
}}
"""


def compile_stub(model, out, name="net", part="stm32f446"):
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "--backend", "stm32cubeai", "--name", name,
                           "--part", part, "-o", str(out)], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("rel", ["examples/tiny_kws_int8.tflite", "mlperf_tiny/kws_ref_model.tflite",
                                 "mlperf_tiny/ad01_int8.tflite"])
def test_ai_run_gives_tflm_bytes(rel, tmp_path):
    path = models_dir() / rel if not rel.startswith("examples") else rel
    if not str(path).startswith("examples") and not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()} (set TINYCC_MODELS)")
    out = tmp_path / "stub"
    compile_stub(path, out)
    app = out / "X-CUBE-AI" / "App"
    (tmp_path / "host_main.c").write_text(HOST_MAIN.format(name="net", N="NET"))
    exe = tmp_path / "host"
    proc = subprocess.run(["cc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(app), *map(str, app.glob("*.c")),
                           str(tmp_path / "host_main.c"), "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(4)]
    (tmp_path / "in.bin").write_bytes(b"".join(s[0].tobytes() for s in samples))
    assert subprocess.run([str(exe), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")]).returncode == 0
    got = np.frombuffer((tmp_path / "out.bin").read_bytes(), dtype=np.int8).reshape(len(samples), -1)
    data = open(path, "rb").read()
    for k, s in enumerate(samples):
        np.testing.assert_array_equal(got[k], run_tflm(data, s)[0].reshape(-1))
    report = json.loads((out / "net_report.json").read_text())
    assert report["ram_bytes"] == planner.plan(g).arena_bytes
    assert report["macc"] == sum(ops.macs(n, g) for n in g.nodes)
    assert "stedgeai generate --model model/net.tflite --target stm32f4" in (out / "README.md").read_text()
    assert (out / "model" / "net.tflite").stat().st_size > 0


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_makefile_builds_for_cortex_m4_and_runs(tmp_path):
    out = tmp_path / "stub"
    compile_stub("examples/tiny_kws_int8.tflite", out)
    proc = subprocess.run(["make", "-s", "-C", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
                          "-semihosting-config", "enable=on,target=native", "-kernel", str(out / "build" / "net.elf")],
                         capture_output=True, timeout=60)
    assert run.returncode == 0


def test_unknown_part_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "--backend",
                           "stm32cubeai", "--part", "stm32z999", "-o", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown STM32 part" in proc.stderr and "stm32f446" in proc.stderr
