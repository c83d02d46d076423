"""Benchmark: import + quantise + compile time per float model, and float-vs-int8 agreement.

For the float models among the shared ones (TFLite, Keras .h5, the KWS SavedModel): import
time, tinycc's PTQ time (32 calibration samples, uniform in [0, 1)), C generation time, and
over 100 further samples from the same distribution the top-1 agreement (classifiers) and the
output SQNR of the int8 model against the float one. A second table repeats the last two for
every calibration method (minmax, percentile, mse, kl) and with bias correction ("+bc"), on the
models other than the Keras .h5 twins of .tflite ones.

    python benchmarks/bench_quantize.py [--models DIR] [--methods minmax,mse,kl+bc,...]
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


METHODS = ("minmax", "percentile", "mse", "kl", "minmax+bc", "mse+bc", "kl+bc")


def agreement(g, gq, samples, rel: str) -> tuple[str, str]:
    """(top-1 agreement, output SQNR dB) of gq against g on the samples, as table cells."""
    f = np.stack([interpreter.run(g, xs)[0].reshape(-1) for xs in samples]).astype(np.float64)
    q = np.stack([interpreter.run(gq, xs)[0].reshape(-1) for xs in samples]).astype(np.float64)
    top1 = f"{np.mean(f.argmax(1) == q.argmax(1)):.0%}" if f.shape[1] > 1 and "ad01" not in rel else "-"
    return top1, f"{sqnr_db(f, q):.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--methods", default=",".join(METHODS), help="calibration methods, +bc adds bias correction")
    args = ap.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    table = Table(title="tinycc: import + int8 PTQ + C, float vs int8 (100 samples)")
    for col in ("model", "import s", "quantise s", "C s", "arena", "top-1 agreement", "output SQNR dB"):
        table.add_column(col, justify="left" if col == "model" else "right")
    by_method = Table(title="tinycc: calibration methods, float vs int8 (32 calibration, 100 held-out samples)")
    for col in ("model", *methods):
        by_method.add_column(col, justify="left" if col == "model" else "right")
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
        held_out = [sample() for _ in range(100)]
        top1, sqnr = agreement(g, gq, held_out, rel)
        table.add_row(rel.split("/")[-1], f"{t1 - t0:.2f}", f"{t2 - t1:.2f}", f"{t3 - t2:.2f}",
                      f"{planner.plan(gq).arena_bytes:,}", top1, sqnr)
        if rel.endswith(".h5"):                      # the same networks as the .tflite files
            continue
        cells = []
        cal = [sample() for _ in range(32)]
        for m in methods:
            method, _, bc = m.partition("+")
            t4 = time.perf_counter()
            gm = quantize_model(copy.deepcopy(g), {"calibration": cal, "calibration_method": method,
                                                   "bias_correction": bc == "bc"})
            top1, sqnr = agreement(g, gm, held_out, rel)
            cells.append(f"{sqnr} dB {top1} ({time.perf_counter() - t4:.0f} s)")
        by_method.add_row(rel.split("/")[-1], *cells)
    Console().print(table)
    Console().print(by_method)
    print("cells: output SQNR, top-1 agreement (- for non-classifiers), quantisation time with the report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
