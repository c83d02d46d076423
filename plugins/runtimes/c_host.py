"""The `c` runtime: the c backend's output built with the host compiler and run on the inputs.

`c_harness.c` (shipped beside this module, also used by the tests and benchmarks) drives the
generated `model_invoke()`; every sample goes through one process (`run_exe`).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tinycc.core import planner, samples as io
from tinycc.core.errors import TinyccError
from tinycc.core.hookspec import hookimpl

CFLAGS = ["-std=c99", "-O2"]
HARNESS = Path(__file__).with_name("c_harness.c")


def run_exe(exe: Path, g, samples: list[list[np.ndarray]], timeout: float = 600) -> list[list[np.ndarray]]:
    """Run a program built with the harness on samples (files beside the program)."""
    workdir = Path(exe).parent
    (workdir / "in.bin").write_bytes(io.pack(samples, io.layout(g, g.inputs)))
    proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples))],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise TinyccError(f"the generated model failed with status {proc.returncode}", hint=proc.stderr[-500:] or None)
    return io.unpack((workdir / "out.bin").read_bytes(), io.layout(g, g.outputs), len(samples))


def run_c_backend(g, samples: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    from tinycc.backends.c.plugin import generate
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise TinyccError("a host C compiler is needed for the c runtime", hint="apt-get install gcc")
    with tempfile.TemporaryDirectory(prefix="tinycc-c-run-") as tmp:
        work = Path(tmp)
        files, _ = generate(g, planner.plan(g), "model")
        for name, text in files.items():
            (work / name).write_text(text)
        exe = work / "model_run"
        proc = subprocess.run([cc, *CFLAGS, "-I", str(work), str(work / "model.c"), str(work / "model_weights.c"),
                               str(HARNESS), "-o", str(exe), "-lm"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise TinyccError("the generated C does not build on this host", hint=proc.stderr[-800:])
        return run_exe(exe, g, samples)


class CRuntime:
    name = "c"
    description = "the c backend built with the host compiler"

    def available(self):
        return None if (shutil.which("cc") or shutil.which("gcc")) else "no host C compiler"

    def run(self, g, inputs):
        return run_c_backend(g, [inputs])[0]

    def run_many(self, g, samples):
        return run_c_backend(g, samples)


@hookimpl
def tinycc_runtimes():
    return [CRuntime()]
