"""The `stm32cubeai` backend: an X-CUBE-AI style stub that runs as it is.

- Its `ai_NAME_run` (over tinycc's C) gives TF Lite Micro's bytes (host build, random inputs).
- Its Makefile links the chosen part's image (linker script from the board database's memory map,
  startup code): every section sits in the part's flash or RAM, the vector table at the start of
  flash with the initial stack pointer at the end of RAM, .data loaded from flash. `make qemu`
  builds the same program for QEMU, where it runs.
- --part missing: the stm32f446, with a note; an unknown part: a clear error.
- The report JSON carries RAM (arena), ROM (weights) and MACC as tinycc computes them.
"""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

from tests.ops.check import random_inputs
from tests.tflm import models_dir, run_tflm
from tinycc.boards import STACK_RESERVE_BYTES
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
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "--backend", "stm32cubeai",
                           "--name", name, "--part", part, "-o", str(out)], capture_output=True, text=True,
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
    proc = subprocess.run(["cc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(app),
                           *map(str, app.glob("*.c")),
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


CROSS = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("make") is None,
                           reason="the Cortex-M toolchain (arm-none-eabi-gcc, newlib) and make are not installed")
# the parts' memory maps from their reference manuals: (flash origin, size), (RAM region origin, size)
MEMORY_MAPS = {"stm32f446": ((0x08000000, 512 << 10), (0x20000000, 128 << 10)),
               "stm32l4r5": ((0x08000000, 2048 << 10), (0x20000000, 640 << 10)),
               "stm32h747": ((0x08000000, 1024 << 10), (0x24000000, 512 << 10)),   # CM7: bank 1, AXI SRAM
               "stm32u585": ((0x08000000, 2048 << 10), (0x20000000, 768 << 10))}


def sections(elf) -> dict[str, tuple[int, int, str]]:
    """name -> (address, size, flags) of the allocated sections (arm-none-eabi-readelf -S)."""
    text = subprocess.run(["arm-none-eabi-readelf", "-S", "-W", str(elf)], capture_output=True, text=True,
                          check=True).stdout
    out = {}
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]{8})\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)", text):
        name, addr, size, flags = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if "A" in flags and size:
            out[name] = (addr, size, flags)
    return out


@CROSS
@pytest.mark.parametrize("part", sorted(MEMORY_MAPS))
def test_makefile_links_the_part_image_in_its_memory_map(part, tmp_path):
    out = tmp_path / "stub"
    compile_stub("examples/tiny_kws_int8.tflite", out, part=part)
    proc = subprocess.run(["make", "-s", "-C", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    elf = out / "build" / "net.elf"
    (flash, flash_size), (ram, ram_size) = MEMORY_MAPS[part]
    secs = sections(elf)
    assert {".isr_vector", ".text", ".rodata", ".bss", "._user_heap_stack"} <= set(secs), secs
    for name, (addr, size, flags) in secs.items():
        region = (flash, flash_size) if "W" not in flags or name in (".init_array", ".fini_array") else (ram, ram_size)
        assert region[0] <= addr and addr + size <= region[0] + region[1], (name, hex(addr), size)
    assert secs[".isr_vector"][0] == flash
    vectors = subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", "-j", ".isr_vector", str(elf), "/dev/stdout"],
                             capture_output=True, check=True).stdout
    sp, reset = struct.unpack("<2I", vectors[:8])
    assert sp == ram + ram_size and flash <= reset < flash + flash_size and reset & 1   # Thumb reset handler
    # loadable bytes (code, constants, .data's initial values) all in flash
    heads = subprocess.run(["arm-none-eabi-readelf", "-l", "-W", str(elf)], capture_output=True, text=True,
                           check=True).stdout
    for phys, filesz in re.findall(r"LOAD\s+0x[0-9a-f]+ 0x[0-9a-f]+ 0x([0-9a-f]+) 0x([0-9a-f]+)", heads):
        if int(filesz, 16):
            assert flash <= int(phys, 16) and int(phys, 16) + int(filesz, 16) <= flash + flash_size
    # the stack reserve is linked in RAM: the same figure as the README's budget
    assert secs["._user_heap_stack"][1] >= STACK_RESERVE_BYTES
    readme = (out / "README.md").read_text()
    assert f"{flash_size >> 10} KB at {flash:#010x}" in readme and f"RAM {ram_size >> 10} KB at {ram:#010x}" in readme
    assert f"| stack + heap reserve | {STACK_RESERVE_BYTES:,} |" in readme


@CROSS
def test_a_model_larger_than_the_part_does_not_link(tmp_path):
    """The linker script is the part's: 2 x 80,000 B of I/O buffers (main.c's) do not fit the
    STM32F446's 128 KB of RAM, and the link says so instead of writing an image that cannot run."""
    from tests.tflite_builder import act, q, single_op
    model = tmp_path / "big.tflite"
    model.write_bytes(single_op("relu", [act("x", (1, 200, 200, 2), "int8", q(0.1, 0))],
                                act("y", (), "int8", q(0.1, 0))))
    out = tmp_path / "stub"
    compile_stub(model, out, part="stm32f446")
    proc = subprocess.run(["make", "-s", "-C", str(out)], capture_output=True, text=True)
    assert proc.returncode != 0 and "region `RAM' overflowed" in proc.stderr, proc.stderr
    compile_stub(model, tmp_path / "h7", part="stm32h747")              # 512 KB of AXI SRAM: it fits
    assert subprocess.run(["make", "-s", "-C", str(tmp_path / "h7")], capture_output=True).returncode == 0


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
def test_make_qemu_builds_the_same_program_and_it_runs(tmp_path):
    out = tmp_path / "stub"
    compile_stub("examples/tiny_kws_int8.tflite", out)
    proc = subprocess.run(["make", "-s", "-C", str(out), "qemu"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
                          "-semihosting-config", "enable=on,target=native", "-kernel",
                          str(out / "build" / "net-qemu.elf")],
                         capture_output=True, timeout=60)
    assert run.returncode == 0


def test_missing_part_defaults_with_a_note(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "--backend",
                           "stm32cubeai", "-o", str(tmp_path / "o")], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "no --part given, building for the stm32f446" in proc.stdout
    assert (tmp_path / "o" / "STM32F446_FLASH.ld").exists()


def test_unknown_part_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "--backend",
                           "stm32cubeai", "--part", "stm32z999", "-o", str(tmp_path / "o")], capture_output=True,
                           text=True)
    assert proc.returncode == 2 and "unknown STM32 part" in proc.stderr and "stm32f446" in proc.stderr
