"""Host-built runtimes: a C backend's output folder compiled with the host compiler and run.

`c`, `microtvm` and `cmsis-nn` each compile the graph with their backend (looked up by name in
the plugin registry, never imported), build every .c of the folder with `c_harness.c` (shipped
beside this module, also used by the tests and benchmarks), and run all samples through one
process (`run_exe`). CMSIS-NN's own sources come from $CMSIS_NN_PATH (built once per tree into
a cached host library, `cmsis_nn_lib.py`).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinycc.core import samples as io
from tinycc.core.errors import TinyccError
from tinycc.core.hookspec import hookimpl

CFLAGS = ["-std=c99", "-O2"]
HARNESS = Path(__file__).with_name("c_harness.c")


def host_cc() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


def run_exe(exe: Path, g, samples: list[list[np.ndarray]], timeout: float = 600,
            reset_at: int | None = None) -> list[list[np.ndarray]]:
    """Run a program built with the harness on samples (files beside the program), all in one process
    (state carries across them); with `reset_at`, model_reset() before that sample."""
    workdir = Path(exe).parent
    (workdir / "in.bin").write_bytes(io.pack(samples, io.layout(g, g.inputs)))
    reset = [] if reset_at is None else [str(reset_at)]
    proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples)), *reset],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise TinyccError(f"the generated model failed with status {proc.returncode}", hint=proc.stderr[-500:] or None)
    return io.unpack((workdir / "out.bin").read_bytes(), io.layout(g, g.outputs), len(samples))


def compile_folder(g, backend: str, outdir: Path) -> None:
    """Write `backend`'s output for `g` (symbol prefix `model`) into the empty folder `outdir`."""
    from tinycc.core.plugins import registry
    be = registry().get("backend", backend)
    from tinycc.core.backend import pass_context
    from tinycc.core.passes import memory
    be.compile(g, memory.plan_in(g, pass_context(be)), outdir, {"name": "model"})     # the compile's one plan


def build_host(folder: Path, extra: Sequence[str] = ()) -> Path:
    """Compile every .c under `folder` with the harness; returns the program."""
    cc = host_cc()
    if cc is None:
        raise TinyccError("a host C compiler is needed to run generated C", hint="apt-get install gcc")
    sources = sorted(str(p) for p in folder.rglob("*.c"))
    includes = sorted({str(p.parent) for p in folder.rglob("*.h")})
    exe = folder / "model_run"
    proc = subprocess.run([cc, *CFLAGS, *[f"-I{i}" for i in includes], *sources, str(HARNESS), "-o", str(exe),
                           *extra, "-lm"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise TinyccError("the generated C does not build on this host", file=str(folder), hint=proc.stderr[-800:])
    return exe


class HostRuntime:
    """A C backend built for the host."""

    def __init__(self, backend: str, description: str):
        self.backend = self.name = backend
        self.description = description

    def available(self):
        if host_cc() is None:
            return "no host C compiler (apt-get install gcc)"
        if self.backend == "cmsis-nn":
            from tinycc.plugins.runtimes.cmsis_nn_lib import source_tree
            return None if source_tree() else ("CMSIS-NN sources not found: "
                                               "set CMSIS_NN_PATH (a tree with Include/ and Source/)")
        if self.backend == "microtvm":
            try:
                import tvm  # noqa: F401
            except ImportError as exc:
                return f"apache-tvm is not importable ({exc}); pip install 'tinycc-ml[tvm]'"
        return None

    def run(self, g, inputs):
        return self.run_many(g, [inputs])[0]

    def run_many(self, g, samples):
        with tempfile.TemporaryDirectory(prefix=f"tinycc-{self.name}-run-") as tmp:
            folder = Path(tmp) / "out"
            folder.mkdir()
            compile_folder(g, self.backend, folder)
            extra = []
            if self.backend == "cmsis-nn":
                from tinycc.plugins.runtimes.cmsis_nn_lib import host_library, source_tree
                root = source_tree()
                extra = [f"-I{root / 'Include'}", str(host_library(root))]
            return run_exe(build_host(folder, extra), g, samples)


@hookimpl
def tinycc_runtimes():
    return [HostRuntime("c", "the c backend built with the host compiler"),
            HostRuntime("microtvm", "the microtvm backend's AOT C built with the host compiler"),
            HostRuntime("cmsis-nn", "the cmsis-nn backend built for the host (CMSIS-NN's portable C)")]
