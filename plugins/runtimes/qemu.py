"""QEMU runtimes: a C backend's output cross-compiled for an embedded core and run on an emulated board.

`<backend>-qemu-<core>` compiles the graph with its backend, builds the folder with tinycc's runner
(tinycc.cortexm: the core's cross compiler and picolibc from tinycc/targets.json) and runs every
sample in one QEMU session. The runtimes come from the target database: each core with a
`runtime` suffix and its `runtime_backends` -- `c-qemu-m4`, `microtvm-qemu-m4`, `cmsis-nn-qemu-m4`
(Cortex-M4 with the FPU on mps2-an386), `c-qemu-m0plus`, `cmsis-nn-qemu-m0plus` (ARMv6-M code on
mps2-an385) and `c-qemu-rv32` (RV32IMC on qemu-system-riscv32's virt). This is the code the board
runs, its DSP (or ARMv6-M, or RISC-V) paths included, not the host's.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tinycc.core import samples as io
from tinycc.core.hookspec import hookimpl
from tinycc.plugins.runtimes.c_host import HostRuntime, compile_folder

CPU = "cortex-m4"


class QemuRuntime:
    def __init__(self, backend: str, core: str = CPU):
        from tinycc.targets import TARGETS
        t = TARGETS[core]
        self.backend, self.core = backend, core
        self.name = f"{backend}-qemu-{t.runtime}"
        self.description = f"the {backend} backend cross-compiled for {t.title}, run under QEMU ({t.machine})"

    def available(self):
        from tinycc.targets import TARGETS
        t = TARGETS[self.core]
        missing = [p for p in (t.compiler, t.qemu) if shutil.which(p) is None]
        if missing:
            return f"{' and '.join(missing)} not installed (apt-get install {' '.join(t.packages)})"
        reason = HostRuntime(self.backend, "").available()
        return None if reason is None or "host C compiler" in reason else reason

    def run(self, g, inputs):
        return self.run_many(g, [inputs])[0]

    def run_many(self, g, samples):
        from tinycc import cortexm
        with tempfile.TemporaryDirectory(prefix=f"tinycc-{self.name}-") as tmp:
            folder = Path(tmp) / "out"
            folder.mkdir()
            compile_folder(g, self.backend, folder)
            elf = cortexm.build(folder, self.core)["elf"]
            return cortexm.run(elf, self.core, samples, io.layout(g, g.outputs))


@hookimpl
def tinycc_runtimes():
    from tinycc.targets import TARGETS
    return [QemuRuntime(b, core) for core, t in TARGETS.items() if t.runtime for b in t.runtime_backends]
