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

from tinycc.backends.c.plugin import CBackend, generate
from tinycc.core.passes import memory
from tinycc.plugins.runtimes.c_host import HARNESS, run_exe  # noqa: F401  (the package's harness and runner)

CC = os.environ.get("CC", "cc")
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]


def write_sources(g, outdir: Path, name: str = "model") -> dict:
    files, report = generate(g, memory.plan(g, **CBackend.plan_options), name)     # the c backend's plan
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


def run_c_model(g, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Generate, build and run one sample (per-operator tests)."""
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-c-"))
    try:
        return run_exe(build(g, workdir), g, [inputs])[0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_c_steps(g, samples: list[list[np.ndarray]], reset_at: int | None = None) -> list[list[np.ndarray]]:
    """Generate and build a model with persistent state (its NAME_reset()) and run every sample in ONE
    process (the runtime's harness), so the state carries from one invoke to the next; model_reset()
    before sample `reset_at`."""
    workdir = Path(tempfile.mkdtemp(prefix="tinycc-c-state-"))
    try:
        return run_exe(build(g, workdir), g, samples, reset_at=reset_at)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
