"""Host speed of the portable C against TF Lite Micro's reference interpreter, in one process.

Per MLPerf Tiny model: the `c` backend's sources built as a shared library with `cc -O2 -fPIC -shared`
(no -march: TINYCC_DSP is off and the plain-C kernels run, in their vector loop shape, TINYCC_VEC 1, the
default where the compiler targets a vector unit; -DTINYCC_VEC=0 gives the scalar shape that cores without
one, as Cortex-M0+/M3, ESP32-S3 or RISC-V without V, run by default), loaded with ctypes, and TF Lite
Micro's Python interpreter (tflite_micro.runtime, reference kernels),
both invoked on the same inputs `--runs` times each, interleaved in rounds so that drifting machine
load hits both alike; each invoke is timed in this thread's CPU time (a busy machine's preemptions
would otherwise hit the longer invokes harder); the ratio is of the medians. The outputs are checked
byte for byte first.

    python benchmarks/bench_host.py [--models DIR] [--runs N] [--target 4] [--per-layer] [--cflags=-DTINYCC_VEC=0]

--cflags adds compiler flags (e.g. -DTINYCC_VEC=0: the plain-C kernels' scalar loop shape, common/vec.h).

--per-layer builds a second library with -DTINYCC_PROFILE_LAYERS and a marker that reads the
thread's CPU clock, and prints the median time of every layer (where the time goes).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import statistics
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

from tests.c_build import write_sources  # noqa: E402
from tests.ops.check import random_inputs  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
          "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite"]
CC = os.environ.get("CC", "cc")
CFLAGS = ["-std=c99", "-O2", "-fPIC", "-shared"]

# a marker for -DTINYCC_PROFILE_LAYERS builds: the thread's CPU clock at each layer's start
MARKER_C = r"""
#define _POSIX_C_SOURCE 199309L
#include <time.h>
#define TINYCC_MAX_MARKS 4096
long long tinycc_marks[TINYCC_MAX_MARKS];
int tinycc_nmarks;
void tinycc_marker_layer(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    if (tinycc_nmarks < TINYCC_MAX_MARKS)
        tinycc_marks[tinycc_nmarks++] = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}
void tinycc_marks_reset(void) { tinycc_nmarks = 0; }
"""


def build_library(g, workdir: Path, profile: bool = False, cflags: tuple[str, ...] = ()) -> Path:
    """The c backend's sources for `g` in `workdir`, built as a shared library."""
    write_sources(g, workdir)
    lib = workdir / ("model_prof.so" if profile else "model.so")
    srcs = [str(workdir / "model.c"), str(workdir / "model_weights.c")]
    extra = []
    if profile:
        (workdir / "marker.c").write_text(MARKER_C)
        srcs.append(str(workdir / "marker.c"))
        extra = ["-DTINYCC_PROFILE_LAYERS"]
    cmd = [CC, *CFLAGS, *cflags, *extra, "-I", str(workdir), *srcs, "-o", str(lib), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return lib


class CModel:
    """The generated model_invoke() behind ctypes, with input and output buffers bound once."""

    def __init__(self, lib: Path, g, xs: list[np.ndarray]):
        self.dll = ctypes.CDLL(str(lib))
        self.dll.model_invoke.restype = ctypes.c_int
        self.ins = [np.ascontiguousarray(x) for x in xs]
        self.outs = [np.zeros(g.tensors[t].shape, dtype=np.dtype(g.tensors[t].dtype)) for t in g.outputs]
        n_in, n_out = len(self.ins), len(self.outs)
        self.in_ptrs = (ctypes.c_void_p * n_in)(*[a.ctypes.data for a in self.ins])
        self.out_ptrs = (ctypes.c_void_p * n_out)(*[a.ctypes.data for a in self.outs])
        self.invoke_fn = self.dll.model_invoke

    def invoke(self) -> None:
        if self.invoke_fn(self.in_ptrs, self.out_ptrs) != 0:
            raise RuntimeError("model_invoke failed")


class TflmModel:
    def __init__(self, data: bytes, xs: list[np.ndarray]):
        from tflite_micro import runtime
        self.interp = runtime.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, 8 << 20))
        for i, x in enumerate(xs):
            self.interp.set_input(np.ascontiguousarray(x), i)

    def invoke(self) -> None:
        self.interp.invoke()

    def outputs(self, n: int) -> list[np.ndarray]:
        return [np.array(self.interp.get_output(i)) for i in range(n)]


def timed(fn, runs: int) -> list[float]:
    out = []
    clock = time.thread_time_ns     # CPU time of this thread: time the scheduler gives others is not counted
    for _ in range(runs):
        t0 = clock()
        fn()
        out.append((clock() - t0) / 1e3)
    return out


def compare(c: CModel, t: TflmModel, runs: int, rounds: int = 5) -> tuple[float, float]:
    """Median microseconds per invoke of each, measured in interleaved rounds."""
    c.invoke()
    t.invoke()                              # warm both (first-call effects, caches)
    cs, ts = [], []
    per = max(1, runs // rounds)
    for _ in range(rounds):
        cs += timed(c.invoke, per)
        ts += timed(t.invoke, per)
    return statistics.median(cs), statistics.median(ts)


def per_layer(lib: Path, g, xs, runs: int) -> list[tuple[int, str, float]]:
    """Median microseconds of each layer of the profiling build."""
    m = CModel(lib, g, xs)
    marks = (ctypes.c_longlong * 4096).in_dll(m.dll, "tinycc_marks")
    n = ctypes.c_int.in_dll(m.dll, "tinycc_nmarks")
    samples: list[list[float]] = []
    for _ in range(runs):
        m.dll.tinycc_marks_reset()
        m.invoke()
        t1 = time.thread_time_ns()      # CLOCK_THREAD_CPUTIME_ID, the marker's clock
        stamps = list(marks[:n.value]) + [t1]
        samples.append([(b - a) / 1e3 for a, b in zip(stamps, stamps[1:])])
    ops = [nd.op for nd in g.nodes]
    return [(i, ops[i] if i < len(ops) else "?", statistics.median(s[i] for s in samples))
            for i in range(len(samples[0]))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--target", type=float, default=4.0, help="required TFLM/C ratio of medians")
    ap.add_argument("--per-layer", action="store_true", help="also print each layer's median time")
    ap.add_argument("--only", default="", help="a substring of the model names to run")
    ap.add_argument("--cflags", default="", help="extra compiler flags, space-separated")
    args = ap.parse_args(argv)
    cflags = tuple(args.cflags.split())
    console = Console()
    flags = " ".join(("-O2",) + cflags)
    table = Table(title=f"Portable C (cc {flags}, no -march) vs TF Lite Micro reference, {args.runs} runs, medians")
    for col in ("model", "C µs", "TFLM µs", "C / TFLM", "speed-up", f"≥ {args.target:g}x", "bit-exact"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for rel in MODELS:
        if args.only and args.only not in rel:
            continue
        path = Path(args.models) / rel
        name = rel.split("/")[-1].removesuffix(".tflite")
        if not path.exists():
            table.add_row(name, "absent", *[""] * 5)
            continue
        data = path.read_bytes()
        g = load_tflite(path)
        xs = random_inputs(g, np.random.default_rng(0))
        with tempfile.TemporaryDirectory() as tmp:
            c = CModel(build_library(g, Path(tmp), cflags=cflags), g, xs)
            t = TflmModel(data, xs)
            c.invoke()
            t.invoke()
            exact = all(np.array_equal(a, b.reshape(a.shape)) for a, b in zip(c.outs, t.outputs(len(c.outs))))
            c_us, t_us = compare(c, t, args.runs)
            if args.per_layer:
                lib = build_library(g, Path(tmp), profile=True, cflags=cflags)
                rows = per_layer(lib, g, xs, max(20, args.runs // 4))
                lt = Table(title=f"{name}: per layer (median µs)")
                for col in ("#", "op", "µs", "%"):
                    lt.add_column(col, justify="right")
                total = sum(r[2] for r in rows) or 1.0
                for i, op, us in rows:
                    lt.add_row(str(i), op, f"{us:,.1f}", f"{100 * us / total:.0f}")
                console.print(lt)
        speed = t_us / c_us
        table.add_row(name, f"{c_us:,.1f}", f"{t_us:,.1f}", f"{c_us / t_us:.3f}", f"{speed:.2f}x",
                      "met" if speed >= args.target else "not met", "yes" if exact else "NO")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
