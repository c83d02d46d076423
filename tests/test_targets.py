"""The target database (tinycc/targets.json): every entry's compiler selects the kernel family the
entry names, and every core with a QEMU machine builds a model, runs it under QEMU with tinycc's
instruction counter, and gives TF Lite Micro's bytes. A core whose toolchain is missing skips,
naming the Debian packages."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_outputs_equal_tflm, random_inputs
from tests.test_cortexm import fake_model
from tinycc import cortexm, targets
from tinycc.core.errors import TinyccError
from tinycc.plugins.importers.tflite import load_tflite

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tiny_kws_int8.tflite"
TABLE = targets.load_targets()


def need(t: targets.Target, emulator: bool = True) -> None:
    """Skip unless the core's cross compiler (and its QEMU) is installed, naming its packages."""
    missing = [p for p in (t.compiler, *((t.qemu,) if emulator else ())) if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install {' '.join(t.packages)})")


def predefined(t: targets.Target) -> set[str]:
    proc = subprocess.run([t.compiler, *t.flags, "-O2", "-dM", "-E", "-x", "c", "-"], input="", capture_output=True,
                          text=True, check=True)
    return {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("#define ")}


def test_the_table_has_the_cores_and_their_facts():
    assert {"cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "rv32imc", "rv32imafc"} <= set(TABLE)
    m4, m0, rv = TABLE["cortex-m4"], TABLE["cortex-m0plus"], TABLE["rv32imc"]
    assert m4.flags == ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16")
    assert (m4.machine, m4.cycle_model, m4.kernels, m4.runtime) == ("mps2-an386", "cortex-m4", "dsp", "m4")
    assert (m0.machine, m0.cycle_model, m0.kernels) == ("mps2-an385", "cortex-m0plus", "armv6m")
    assert "Cortex-M3" in m0.note
    assert (rv.compiler, rv.flags, rv.qemu, rv.machine, rv.kernels) == (
        "riscv64-unknown-elf-gcc", ("-march=rv32imc", "-mabi=ilp32"), "qemu-system-riscv32", "virt", "riscv")
    assert rv.flash == (0x80000000, 4 << 20) and rv.tool("nm") == "riscv64-unknown-elf-nm"
    assert "picolibc-riscv64-unknown-elf" in rv.packages and "qemu-system-misc" in rv.packages
    for core, t in TABLE.items():
        assert t.cycle_model in (None, *targets.CYCLE_MODELS) and t.kernels in targets.KERNEL_FAMILIES, core
        assert (Path(cortexm.__file__).parent / "qemu_plugin" / f"{t.plugin}.c").exists(), core


def test_a_bad_entry_is_refused(monkeypatch):
    entry = json.loads((Path(targets.__file__).parent / "targets.json").read_text())["rv32imc"]
    with pytest.raises(ValueError, match="unknown kernel family 'mve2'"):
        targets._target("x", {**entry, "kernels": "mve2"})
    with pytest.raises(ValueError, match="unknown cycle model 'cortex-m85'"):
        targets._target("x", {**entry, "cycle_model": "cortex-m85"})


@pytest.mark.parametrize("core", sorted(TABLE))
def test_each_cores_flags_select_its_kernel_family(core):
    """The kernels choose their paths by the compiler's macros: the entry's family must be what its
    flags give (a DSP core defines __ARM_FEATURE_DSP, an ARMv6-M one neither DSP, Thumb-2 nor divide)."""
    t = TABLE[core]
    need(t, emulator=False)
    macros = predefined(t)
    _, defined, undefined = targets.KERNEL_FAMILIES[t.kernels]
    assert set(defined) <= macros, set(defined) - macros
    assert not set(undefined) & macros, set(undefined) & macros


@pytest.mark.parametrize("core", sorted(c for c, t in TABLE.items() if t.machine))
def test_each_core_builds_runs_and_counts_bit_exact(core, tmp_path):
    t = TABLE[core]
    need(t)
    g = load_tflite(EXAMPLE)
    from tests.c_build import write_sources
    write_sources(g, tmp_path)
    report = cortexm.build(tmp_path, core)
    assert report["flash_bytes"] > 3000 and report["static_ram_bytes"] > 0 and (tmp_path / f"build-{core}").is_dir()
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs, insns = cortexm.run(report["elf"], core, xs, layout, count=True)
    assert_outputs_equal_tflm(EXAMPLE.read_bytes(), xs, outs)
    assert 10_000 < insns < 10_000_000


@pytest.mark.parametrize("core", ["rv32imc", "cortex-m0plus"])
def test_instruction_count_is_exact_and_a_fault_is_an_error(core, tmp_path):
    """A known loop's count repeats exactly and grows by a whole number of instructions per
    iteration; a store to unmapped memory ends the run with an error, not a hang or a pass."""
    need(TABLE[core])
    counts = {}
    for n in (1000, 3000):
        folder = tmp_path / f"loop{n}"
        folder.mkdir()
        fake_model(folder, f"    volatile int i; for (i = 0; i < {n}; ++i) {{ }} return 0;")
        elf = cortexm.build(folder, core)["elf"]
        runs = [cortexm.run(elf, core, [[np.zeros(4, np.int8)]], [((4,), "int8")], count=True)[1] for _ in range(2)]
        assert runs[0] == runs[1] > n
        counts[n] = runs[0]
    per_iteration = (counts[3000] - counts[1000]) / 2000
    assert abs(per_iteration - round(per_iteration)) < 0.01 and 3 <= per_iteration <= 12, per_iteration
    fault = tmp_path / "fault"
    fault.mkdir()
    fake_model(fault, "    *(volatile int *)0xF0000000u = 1; return 0;")
    with pytest.raises(TinyccError, match="exited with status 1 under QEMU"):
        cortexm.run(cortexm.build(fault, core)["elf"], core, [[np.zeros(4, np.int8)]], [((4,), "int8")], timeout=10)


def test_boards_name_cores_of_the_table_and_the_cli_takes_them(tmp_path):
    from tinycc.boards import load_boards
    boards = load_boards()
    assert {boards[s]["core"] for s in ("pico2-riscv", "esp32-c3")} == {"rv32imc"} and boards["gap9"]["core"] in TABLE
    assert boards["pico"]["core"] == "cortex-m0plus" and boards["cortex-m0plus-32k"]["sram_kb"] == 32
    assert cortexm.core_of("esp32-c3") == "rv32imc" and cortexm.core_of("qemu-rv32imc") == "rv32imc"
    with pytest.raises(TinyccError, match="xtensa-lx7 core"):
        cortexm.core_of("esp32-s3")
    proc = subprocess.run([sys.executable, "-m", "tinycc", "targets", "--json"], capture_output=True, text=True)
    cores = json.loads(proc.stdout)["cores"]
    assert cores["rv32imc"]["qemu_machine"] == "virt" and "esp32-c3" in cores["rv32imc"]["boards"]


def test_compare_runtimes_come_from_the_table():
    from tinycc.plugins.runtimes.qemu import tinycc_runtimes
    names = {rt.name for rt in tinycc_runtimes()}
    assert {"c-qemu-m4", "microtvm-qemu-m4", "cmsis-nn-qemu-m4", "c-qemu-rv32", "c-qemu-m0plus",
            "cmsis-nn-qemu-m0plus"} <= names


def test_cmsis_nn_code_for_a_risc_v_core_is_a_clear_error(tmp_path):
    fake_model(tmp_path, "    return 0;")
    (tmp_path / "layer.c").write_text('#include "arm_nnfunctions.h"\n')
    with pytest.raises(TinyccError, match="calls CMSIS-NN, Arm's library: it does not build for rv32imc"):
        cortexm.build(tmp_path, "rv32imc")


def test_a_cortex_m55_board_reports_the_m55_cycle_estimate():
    """openmv-ae3: the OpenMV AE3's figures as docs.openmv.io's quick reference gives them (Alif Ensemble
    E3, 400 MHz HP Cortex-M55, 13.5 MB internal SRAM, 5.5 MB on-chip MRAM, 50-60 mA active and 80 uA
    deep sleep at 3.3 V); its latency comes from QEMU's count priced by the Cortex-M55 model."""
    from tinycc import boards
    from tinycc.report import make_report
    b = boards.board("openmv-ae3")
    assert (b["core"], b["clock_mhz"], b["sram_kb"], b["flash_kb"]) == ("cortex-m55", 400, 13824, 5632)
    need(TABLE["cortex-m55"])
    lat = make_report(EXAMPLE, "openmv-ae3", "c")["latency"]
    assert lat["method"] == "qemu" and lat["cycles"] > lat["instructions"] > 0
    assert "tinycc's Cortex-M55 model" in lat["basis"] and lat["seconds"] == lat["cycles"] / 400e6
