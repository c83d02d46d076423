"""Benchmark: import + quantise + compile time per float model, and float-vs-int8 agreement.

For the float models among the shared ones (TFLite, Keras .h5, the KWS SavedModel): import
time, tinycc's PTQ time (32 calibration samples, uniform in [0, 1)), C generation time, and
over 100 further samples from the same distribution the top-1 agreement (classifiers) and the
output SQNR of the int8 model against the float one.

    python benchmarks/bench_quantize.py [--models DIR]
"""
from __future__ import annotations

import argparse
import copy
import os
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tinycc.backends.c.plugin import generate  # noqa: E402
from tinycc.core import interpreter, planner  # noqa: E402
from tinycc.core.passes.accuracy import sqnr_db  # noqa: E402
from tinycc.driver import load_model, optimize_model, quantize_model  # noqa: E402

MODELS = ["mlperf_tiny/vww_96_float.tflite", "mlperf_tiny/pretrainedResnet.tflite", "mlperf_tiny/pretrainedResnet.h5",
          "mlperf_tiny/ad01_fp32.tflite", "mlperf_tiny/ad01.h5", "mlperf_tiny/kws_ref_saved_model",
          "tflm_examples/hello_world_float.tflite"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    args = ap.parse_args(argv)
    table = Table(title="tinycc: import + int8 PTQ + C, float vs int8 (100 samples)")
    for col in ("model", "import s", "quantise s", "C s", "arena", "top-1 agreement", "output SQNR dB"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for rel in MODELS:
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, "absent", "", "", "", "", "")
            continue
        t0 = time.perf_counter()
        g = optimize_model(load_model(path))
        t1 = time.perf_counter()
        rng = np.random.default_rng(0)

        def sample(rng=rng, g=g):
            return [rng.uniform(0, 1, g.tensors[n].shape).astype(np.float32) for n in g.inputs]

        gq = quantize_model(copy.deepcopy(g), {"calibration": [sample() for _ in range(32)]})
        t2 = time.perf_counter()
        generate(gq, planner.plan(gq), "model")      # C generation only; nothing is written
        t3 = time.perf_counter()
        f, q = [], []
        for _ in range(100):
            xs = sample()
            f.append(interpreter.run(g, xs)[0].reshape(-1))
            q.append(interpreter.run(gq, xs)[0].reshape(-1))
        f, q = np.stack(f).astype(np.float64), np.stack(q).astype(np.float64)
        top1 = f"{np.mean(f.argmax(1) == q.argmax(1)):.0%}" if f.shape[1] > 1 and "ad01" not in rel else "-"
        table.add_row(rel.split("/")[-1], f"{t1 - t0:.2f}", f"{t2 - t1:.2f}", f"{t3 - t2:.2f}",
                      f"{planner.plan(gq).arena_bytes:,}", top1, f"{sqnr_db(f, q):.1f}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
