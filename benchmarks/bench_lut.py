"""Benchmark: TF Lite Micro LUT weight compression (`--compress-weights BITS`) on the MLPerf Tiny models.

For each model and BITS (int8, then LUT-4 and LUT-2 with k-means tables, LUT-4 with uniform ones): the
c backend's flash for weights and constants, the conv / depthwise / fully connected weights alone (int8
bytes, LUT bytes = indices + tables), the layers' mean weight SQNR against the int8 weights (and the float
ones, beside the int8 weights' own), and the outputs' SQNR: a float model is quantised by tinycc's PTQ
(16 calibration samples uniform in [0, 1)) and measured against the float model on those samples; an
int8 model is compressed from its own int8 weights and measured against itself on 8 random inputs.

    python benchmarks/bench_lut.py [--models DIR] [--bits 4,2]
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tinycc.driver import compile_model, load_model  # noqa: E402

FLOAT = ["mlperf_tiny/vww_96_float.tflite",
         "mlperf_tiny/pretrainedResnet.tflite", "mlperf_tiny/ad01_fp32.tflite"]
INT8 = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
        "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite"]


def run(path: Path, options: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return compile_model(path, "c", Path(tmp) / "out", options=options)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--bits", default="4,2")
    args = ap.parse_args(argv)
    settings = [(int(b), "kmeans") for b in args.bits.split(",")] + [(4, "uniform")]
    table = Table(title="tinycc --compress-weights (TF Lite Micro LUT format), c backend")
    for col in ("model", "weights", "flash (weights + constants)", "conv/FC weights", "weights SQNR vs int8",
                "vs float (int8)", "output SQNR dB", "int8 output SQNR dB"):
        table.add_column(col, justify="left" if col in ("model", "weights") else "right")
    for rel in FLOAT + INT8:
        path = Path(args.models) / rel
        if not path.exists():
            continue
        base: dict = {}
        if rel in FLOAT:
            g = load_model(path)
            rng = np.random.default_rng(0)
            samples = [[rng.uniform(0, 1, g.tensors[n].shape).astype(np.float32) for n in g.inputs]
                       for _ in range(16)]
            base = {"calibration": samples}
        plain = run(path, base)
        table.add_row(rel.split("/")[-1], "int8", f"{plain['flash_weights_bytes']:,}", "", "", "", "", "")
        for bits, method in settings:
            r = run(path, {**base, "compress_weights": bits, "compress_method": method})
            c = r["compression"]
            vs = c.get("output_sqnr_vs_float_db", c["output_sqnr_vs_int8_db"])
            int8 = c.get("output_sqnr_int8_vs_float_db")
            table.add_row("", f"LUT-{bits} {method}", f"{r['flash_weights_bytes']:,}",
                          f"{c['int8_bytes']:,} -> {c['lut_bytes']:,}", f"{c['mean_weights_sqnr_vs_int8_db']:.1f}",
                          f"{c['mean_weights_sqnr_vs_float_db']:.1f} ({c['mean_weights_sqnr_int8_vs_float_db']:.1f})"
                          if "mean_weights_sqnr_vs_float_db" in c else "-", ", ".join(f"{v:.1f}" for v in vs),
                          ", ".join(f"{v:.1f}" for v in int8) if int8 else "(vs int8)")
        print(f"done {rel}", flush=True)
    Console(width=200).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
