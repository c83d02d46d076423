"""The `c` runtime: the c backend's output built with the host compiler and run on the inputs.

The same harness the tests use (`c_harness.c`, shipped beside this module) drives the
generated `model_invoke()`; every sample goes through one process.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from tinycc.core import planner
from tinycc.core.errors import TinyccError
from tinycc.core.graph import np_dtype
from tinycc.core.hookspec import hookimpl

CFLAGS = ["-std=c99", "-O2"]


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
        harness = resources.files("tinycc.plugins.runtimes").joinpath("c_harness.c").read_text()
        (work / "harness.c").write_text(harness)
        exe = work / "model_run"
        proc = subprocess.run([cc, *CFLAGS, "-I", str(work), str(work / "model.c"), str(work / "model_weights.c"),
                               str(work / "harness.c"), "-o", str(exe), "-lm"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise TinyccError("the generated C does not build on this host", hint=proc.stderr[-800:])
        blob = b"".join(np.ascontiguousarray(x, dtype=np_dtype(g.tensors[n].dtype)).tobytes()
                        for xs in samples for n, x in zip(g.inputs, xs))
        (work / "in.bin").write_bytes(blob)
        run = subprocess.run([str(exe), str(work / "in.bin"), str(work / "out.bin"), str(len(samples))],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise TinyccError(f"the generated model failed with status {run.returncode}")
        raw = (work / "out.bin").read_bytes()
    results, pos = [], 0
    for _ in samples:
        outs = []
        for n in g.outputs:
            t = g.tensors[n]
            outs.append(np.frombuffer(raw, dtype=np_dtype(t.dtype), count=t.size, offset=pos).reshape(t.shape).copy())
            pos += t.nbytes
        results.append(outs)
    return results


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
