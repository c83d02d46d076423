"""Benchmark table for the shared models: tinycc vs TF Lite Micro, memory and speed.

Per model: tinycc's arena, the same plus its I/O buffers (TFLM keeps those in its arena),
TFLM's activation arena ('head' of print_allocations, I/O included) and its total (plus the
interpreter's persistent state), the op-wise lower bound, compile time, and x86
latency of the generated C (-O2) against the TFLM interpreter in the same run.

    python benchmarks/bench_models.py [--models DIR] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests.c_build import build  # noqa: E402
from tests.ops.check import random_inputs  # noqa: E402
from tests.tflm import run_tflm, tflm_arena_bytes  # noqa: E402
from tinycc.core import planner  # noqa: E402
from tinycc.core import samples as samples_io  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
          "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
          "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
          "tflm_examples/person_detect.tflite"]


def time_c(exe: Path, g, xs, runs: int) -> float:
    """Seconds per inference of the generated C, timed inside the harness around model_invoke."""
    blob = samples_io.pack([xs] * runs, samples_io.layout(g, g.inputs))
    inp = exe.parent / "bench_in.bin"
    inp.write_bytes(blob)
    out = exe.parent / "bench_out.bin"
    proc = subprocess.run([str(exe), str(inp), str(out), str(runs)], check=True, capture_output=True, text=True)
    return float(proc.stderr.split("invoke_seconds")[1].split()[0]) / runs


def time_tflm(data: bytes, xs, runs: int) -> float:
    from tflite_micro import runtime
    interp = runtime.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, 1 << 20))
    for i, x in enumerate(xs):
        interp.set_input(x, i)
    interp.invoke()
    t0 = time.process_time()
    for _ in range(runs):
        interp.invoke()
    return (time.process_time() - t0) / runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args(argv)
    table = Table(title="tinycc vs TF Lite Micro (x86, reference kernels)")
    for col in ("model", "tinycc arena", "+ I/O", "TFLM activations", "TFLM total", "bound", "compile s", "C µs",
                "TFLM µs", "speed-up", "bit-exact"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for rel in MODELS:
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, *["absent"] + [""] * 10)
            continue
        data = path.read_bytes()
        t0 = time.perf_counter()
        g = load_tflite(path)
        plan = planner.plan(g)
        with tempfile.TemporaryDirectory() as tmp:
            exe = build(g, Path(tmp))
            compile_s = time.perf_counter() - t0
            xs = random_inputs(g, np.random.default_rng(0))
            from tests.c_build import run_exe
            exact = all(np.array_equal(a.reshape(b.shape), b)
                        for a, b in zip(run_exe(exe, g, [xs])[0], run_tflm(data, xs)))
            c_s = time_c(exe, g, xs, args.runs)
        tflm_s = time_tflm(data, xs, args.runs)
        io = sum(g.tensors[t].nbytes for t in g.inputs + g.outputs)
        tflm = tflm_arena_bytes(data)
        table.add_row(rel.split("/")[-1], f"{plan.arena_bytes:,}", f"{plan.arena_bytes + io:,}",
                      f"{tflm['head']:,}", f"{tflm['total']:,}",
                      f"{plan.bound_bytes:,}", f"{compile_s:.2f}", f"{c_s * 1e6:,.1f}", f"{tflm_s * 1e6:,.1f}",
                      f"{tflm_s / c_s:.1f}x" if c_s > 0 else "-", "yes" if exact else "NO")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
