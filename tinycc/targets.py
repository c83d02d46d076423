"""The target database: every core tinycc cross-compiles for and runs under QEMU, as data.

Each core is an entry of `targets.json` beside this module: its cross compiler and flags, the C
library (picolibc specs, semihosting crt0), the linker script and memory map, the QEMU binary,
machine and semihosting mode, the instruction-counting plugin (tinycc/qemu_plugin/<plugin>.c,
target independent), the cycle model (tinycc/cycle_models.py; None: instructions only), the kernel
family its compiler selects in the c backend's kernels, the Debian packages it needs and, where
`tinycc compare` has runtimes for it, their suffix (`c-qemu-<runtime>`). Adding a core is an entry
here plus, if it is a new family, its kernel paths.

The kernels pick their paths from the compiler's own predefined macros (no flag of tinycc's):
KERNEL_FAMILIES says which macros each family's compiler must define and must not, so a test
checks every entry's flags really select its family.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

# family -> (description, macros the compiler defines, macros it must not define)
KERNEL_FAMILIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "dsp": ("Armv7E-M/Armv8-M DSP SIMD paths (TINYCC_DSP: SMLAD, SXTB16, SSAT)",
            ("__ARM_FEATURE_DSP", "__ARM_FEATURE_SIMD32", "__thumb2__"), ()),
    "portable": ("Thumb-2 without the DSP extension: the plain C paths", ("__thumb2__",), ("__ARM_FEATURE_DSP",)),
    "armv6m": ("ARMv6-M: the plain C paths, 16-bit Thumb, 32x32 multiplies, no hardware divide",
               ("__ARM_ARCH_6M__",), ("__ARM_FEATURE_DSP", "__thumb2__", "__ARM_FEATURE_IDIV")),
    "riscv": ("RISC-V RV32 with M: the plain C paths (no vector extension)", ("__riscv", "__riscv_mul"),
              ("__riscv_vector",)),
}
CYCLE_MODELS = ("cortex-m4", "cortex-m0plus", "cortex-m55")      # tinycc/cycle_models.py


@dataclass(frozen=True)
class Target:
    core: str
    title: str
    arch: str                     # "arm" or "riscv" (CMSIS-NN builds for arm only)
    compiler: str                 # the cross gcc; its binutils share the prefix (arm-none-eabi-)
    flags: tuple                  # code-generation flags: -mcpu/-march, ABI, FPU
    libc: tuple                   # the C library's link flags (picolibc specs, os library, crt0)
    linker_script: str
    flash: tuple                  # (origin, bytes) of the code region
    ram: tuple                    # (origin, bytes) of data, bss, stack
    qemu: str                     # the QEMU binary
    machine: str | None           # its machine; None when QEMU has no board for the core
    qemu_args: tuple
    semihosting: str              # -semihosting-config
    plugin: str                   # tinycc/qemu_plugin/<plugin>.c
    cycle_model: str | None       # tinycc/cycle_models.py's model for the core, None: instructions only
    kernels: str                  # KERNEL_FAMILIES key
    packages: tuple               # the Debian packages of the toolchain and emulator
    runtime: str | None           # `tinycc compare` runtimes <backend>-qemu-<runtime>
    runtime_backends: tuple
    note: str = ""                # how the emulation differs from the core (an assumption)

    @property
    def cpu(self) -> str:         # the build folder's name (build-<core>) and messages
        return self.core

    @property
    def tool_prefix(self) -> str:
        return self.compiler.removesuffix("gcc")

    def tool(self, name: str) -> str:
        """The toolchain's `name` (size, nm, ar, objdump) for this core."""
        return self.tool_prefix + name


def _region(spec) -> tuple[int, int]:
    origin, kb = spec
    return int(origin, 16), int(kb) * 1024


def _target(core: str, e: dict) -> Target:
    q = e["qemu"]
    if e["kernels"] not in KERNEL_FAMILIES:
        raise ValueError(f"target {core}: unknown kernel family {e['kernels']!r}")
    if e["cycle_model"] not in (None, *CYCLE_MODELS):
        raise ValueError(f"target {core}: unknown cycle model {e['cycle_model']!r}")
    return Target(core=core, title=e["title"], arch=e["arch"], compiler=e["compiler"], flags=tuple(e["flags"]),
                  libc=tuple(e["libc"]),
                  linker_script=e["linker_script"], flash=_region(e["memory"]["flash"]),
                  ram=_region(e["memory"]["ram"]), qemu=q["binary"], machine=q.get("machine"),
                  qemu_args=tuple(q.get("args", ())), semihosting=e["semihosting"], plugin=e["plugin"],
                  cycle_model=e["cycle_model"], kernels=e["kernels"], packages=tuple(e["packages"]),
                  runtime=e.get("runtime"), runtime_backends=tuple(e.get("runtime_backends", ())),
                  note=q.get("note", ""))


def load_targets() -> dict[str, Target]:
    data = json.loads(resources.files("tinycc").joinpath("targets.json").read_text())
    return {core: _target(core, e) for core, e in data.items()}


TARGETS = load_targets()
