"""Builds the `c` backend's output with the host compiler and runs it on inputs (test support).

The generated sources must compile with -std=c99 -Wall -Wextra -Werror -pedantic; any warning
fails the build and so the test.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tinycc.backends.c.plugin import generate
from tinycc.core import planner
from tinycc.core.graph import np_dtype

HARNESS = Path(__file__).with_name("c_harness.c")
CC = os.environ.get("CC", "cc")
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]


def write_sources(g, outdir: Path, name: str = "model") -> dict:
    files, report = generate(g, planner.plan(g), name)
    for fname, text in files.items():
        (outdir / fname).write_text(text)
    return report


def build(g, workdir: Path, extra_flags=()) -> Path:
    write_sources(g, workdir)
    exe = workdir / "model_test"
    cmd = [CC, *CFLAGS, *extra_flags, "-I", str(workdir), str(workdir / "model.c"), str(workdir / "model_weights.c"),
           str(HARNESS), "-o", str(exe), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"C build failed:\n{' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return exe


def run_exe(exe: Path, g, samples: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    workdir = exe.parent
    blob = b"".join(np.ascontiguousarray(x, dtype=np_dtype(g.tensors[n].dtype)).tobytes()
                    for xs in samples for n, x in zip(g.inputs, xs))
    (workdir / "in.bin").write_bytes(blob)
    proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples))],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"generated model failed with status {proc.returncode}: {proc.stderr}")
    raw = (workdir / "out.bin").read_bytes()
    results, pos = [], 0
    for _ in samples:
        outs = []
        for n in g.outputs:
            t = g.tensors[n]
            arr = np.frombuffer(raw, dtype=np_dtype(t.dtype), count=t.size, offset=pos).reshape(t.shape)
            pos += t.nbytes
            outs.append(arr.copy())
        results.append(outs)
    return results


def run_c_model(g, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Generate, build and run one sample (per-operator tests)."""
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-c-"))
    try:
        return run_exe(build(g, workdir), g, [inputs])[0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
