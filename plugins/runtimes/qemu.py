"""QEMU runtimes: a C backend's output cross-compiled for Cortex-M4 and run on an emulated board.

`c-qemu-m4`, `microtvm-qemu-m4` and `cmsis-nn-qemu-m4` compile the graph with their backend,
build the folder with tinycc's Cortex-M runner (tinycc.cortexm: arm-none-eabi-gcc, picolibc,
-mcpu=cortex-m4 with the FPU) and run every sample in one QEMU session on mps2-an386. This is
the code a Cortex-M4 board runs, DSP paths included, not the host's.
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
    def __init__(self, backend: str):
        self.backend = backend
        self.name = f"{backend}-qemu-m4"
        self.description = f"the {backend} backend cross-compiled for Cortex-M4, run under QEMU (mps2-an386)"

    def available(self):
        from tinycc import cortexm
        missing = [t for t in ("arm-none-eabi-gcc", "qemu-system-arm") if shutil.which(t) is None]
        if missing:
            return f"{' and '.join(missing)} not installed (apt-get install {cortexm.PACKAGES})"
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
            elf = cortexm.build(folder, CPU)["elf"]
            return cortexm.run(elf, CPU, samples, io.layout(g, g.outputs))


@hookimpl
def tinycc_runtimes():
    return [QemuRuntime(b) for b in ("c", "microtvm", "cmsis-nn")]
