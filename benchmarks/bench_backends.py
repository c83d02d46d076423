"""Benchmark: the same model through the `c` and `microtvm` backends, side by side.

Per model: arena bytes of each backend, x86 time per inference of each (-O2, processor time
inside the harness, mean of --runs), and the largest difference between their outputs.

    python benchmarks/bench_backends.py [--models DIR] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests.c_build import CC, CFLAGS, HARNESS, build, run_exe  # noqa: E402
from tests.ops.check import random_inputs  # noqa: E402
from tinycc.backends.microtvm.plugin import generate as generate_microtvm  # noqa: E402
from tinycc.core import planner  # noqa: E402
from tinycc.core import samples as samples_io  # noqa: E402
from tinycc.driver import optimize_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
          "mlperf_tiny/pretrainedResnet_quant.tflite",
          "mlperf_tiny/ad01_int8.tflite", "mlperf_tiny/vww_96_float.tflite", "mlperf_tiny/pretrainedResnet.tflite",
          "mlperf_tiny/ad01_fp32.tflite", "tflm_examples/hello_world_float.tflite"]


def per_inference(exe: Path, g, xs, runs: int) -> float:
    blob = samples_io.pack([xs] * runs, samples_io.layout(g, g.inputs))
    (exe.parent / "b_in.bin").write_bytes(blob)
    proc = subprocess.run([str(exe), str(exe.parent / "b_in.bin"), str(exe.parent / "b_out.bin"), str(runs)],
                          check=True, capture_output=True, text=True)
    return float(proc.stderr.split("invoke_seconds")[1].split()[0]) / runs


def build_microtvm(g, workdir: Path) -> tuple[Path, int]:
    files, report = generate_microtvm(g, "model")
    for fname, text in files.items():
        (workdir / fname).parent.mkdir(parents=True, exist_ok=True)
        (workdir / fname).write_text(text)
    exe = workdir / "model_tvm"
    sources = [str(p) for p in sorted(workdir.rglob("*.c"))]
    subprocess.run([CC, *CFLAGS, "-I", str(workdir), "-I", str(workdir / "codegen/host/include"), *sources,
                    str(HARNESS), "-o", str(exe), "-lm"], check=True, capture_output=True)
    return exe, report["arena_bytes"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args(argv)
    table = Table(title="c vs microtvm backend (x86, gcc -O2)")
    for col in ("model", "c arena", "microtvm arena", "c µs", "microtvm µs", "max |c - microtvm|"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for rel in MODELS:
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, "absent", "", "", "", "")
            continue
        g = optimize_model(load_tflite(path))
        xs = random_inputs(g, np.random.default_rng(0))
        with tempfile.TemporaryDirectory() as c_dir, tempfile.TemporaryDirectory() as t_dir:
            c_exe = build(g, Path(c_dir))
            t_exe, t_arena = build_microtvm(g, Path(t_dir))
            c_out, t_out = run_exe(c_exe, g, [xs])[0], run_exe(t_exe, g, [xs])[0]
            diff = max(float(np.abs(a.astype(np.float64) - b).max()) for a, b in zip(c_out, t_out))
            c_s, t_s = per_inference(c_exe, g, xs, args.runs), per_inference(t_exe, g, xs, args.runs)
        table.add_row(rel.split("/")[-1], f"{planner.plan(g).arena_bytes:,}", f"{t_arena:,}", f"{c_s * 1e6:,.1f}",
                      f"{t_s * 1e6:,.1f}", f"{diff:.2g}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
