"""Benchmark: shared int8 models on a Cortex-M4 (QEMU mps2-an386), per backend.

Flash, static RAM, largest stack frame, instructions per inference (tinycc's QEMU plugin,
exact) and the estimated Cortex-M4 cycles (tinycc/cycles.py: the TRM's instruction timing over
the executed instructions, zero wait states; its milliseconds at 120 MHz), beside MLPerf Tiny's
published latencies on a 120 MHz Cortex-M4 converted to cycles (TFLM reference kernels, and the
best published result); the c target and "vs best" compare the estimated cycles with the best
published ones.

Then TF Lite Micro's micro_speech audio front end (tflm_examples/audio_preprocessor_int8: the signal
library's window, RFFT, filter bank, noise reduction, PCAN and log) on the c and cmsis-nn backends
(CMSIS-NN has none of its operators: the c kernels run them), instructions per 30 ms frame.

Below them, models made on the spot with TensorFlow's converter (benchmarks/keras_models.py: an
int8 Keras LSTM, a TRANSPOSE_CONV decoder, a KWS-transformer attention block (BATCH_MATMUL) and a
U-Net x2 upsample, bilinear and nearest; the LSTM needs `pip install tf-keras`), with tinycc's
flatbuffer writer (`svdf_kws`, tests/ops/cases/_svdf.py: two int8 SVDF layers with int16 states
over 40-feature frames) and KWT transformers quantised by tinycc (benchmarks/transformer_models.py:
PyTorch and Keras), on the c and cmsis-nn backends, with no published figures to set beside them.

    python benchmarks/bench_cortexm.py [--models DIR] [--no-generated]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from benchmarks.flash_breakdown import TARGET_OVER, breakdown, weight_bytes  # noqa: E402
from benchmarks.keras_models import BUILDERS  # noqa: E402
from benchmarks.transformer_models import BUILDERS as TRANSFORMERS  # noqa: E402
from tests.cmsis_nn_source import cmsis_nn_root  # noqa: E402
from tests.ops.cases._svdf import svdf_kws  # noqa: E402
from tests.ops.check import random_inputs  # noqa: E402
from tinycc import cortexm, cycles  # noqa: E402
from tinycc.driver import compile_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MHZ = 120
# MLPerf Tiny v1.0 closed division, Cortex-M4 at 120 MHz: (TFLM reference ms, best published ms)
PUBLISHED = {"kws_ref_model": (181.9, 47.8), "vww_96_int8": (600.6, 98.8), "pretrainedResnet_quant": (704.2, 167.8),
             "ad01_int8": (10.05, 4.05)}
# project issue #9: the c backend at most the best published cycles (compared in estimated cycles, issue #19)
C_TARGET = {stem: round(best * MHZ * 1000) for stem, (_, best) in PUBLISHED.items()}
MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
          "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite"]
BACKENDS = ["c", "c --optimize size", "microtvm", "cmsis-nn"]      # --optimize size: reference kernels only
SIGNAL_MODELS = ["tflm_examples/audio_preprocessor_int8.tflite"]     # one invoke = one 30 ms frame
GENERATED_BACKENDS = ["c", "cmsis-nn"]
WRITTEN = {"svdf_kws": lambda: (svdf_kws(), None)}     # made with tinycc's flatbuffer writer: no TensorFlow


def _target(stem: str, cycles: int) -> str:
    target = C_TARGET[stem]
    return f"<= {target:,}: {'met' if cycles <= target else f'not met (x{cycles / target:.2f})'}"


def _count(cell: str) -> int:
    return int(cell.replace(",", ""))


def _measure(path: Path, backend: str, cmsis) -> list[str]:
    """[flash, flash over weights, static RAM, worst-case stack, instructions, est. cycles, ms at MHZ] of
    one model on one backend (one random input). Flash over weights (c backend): the model's constants
    and code beyond its weights (benchmarks/flash_breakdown.py; issue 19's target: at most 10 KB)."""
    if backend == "cmsis-nn" and cmsis is None:
        return ["CMSIS-NN unavailable", "", "", "", "", "", ""]
    backend, _, optimize = backend.partition(" --optimize ")
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(0))]
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        options = {"optimize": optimize} if optimize else {}
        if backend == "cmsis-nn":
            options["cmsis_nn_kernels"] = "dsp"     # built for the Cortex-M4: CMSIS-NN's DSP kernels' scratch
        compile_model(path, backend, out, name="model", options=options or None)
        rep = cortexm.build(out, "cortex-m4", cmsis_nn=cmsis if backend == "cmsis-nn" else None)
        over = ""
        if backend == "c" and path.suffix == ".tflite":
            over = breakdown(out, weight_bytes(path), rep)["over_weights"]
            over = f"{over:,} ({'met' if over <= TARGET_OVER else 'not met'})"
        trace: list = []
        _, insns = cortexm.run(rep["elf"], "qemu-cortex-m4", samples, layout, count=True, trace=trace)
        est = cycles.estimate(rep["elf"], trace, len(samples))
    return [f"{rep['flash_bytes']:,}", over, f"{rep['static_ram_bytes']:,}", f"{rep['worst_case_stack_bytes']:,}",
            f"{insns:,}", f"{est.cycles:,}", f"{est.cycles / (MHZ * 1e3):.2f}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--no-generated", action="store_true", help="only the shared models (no TensorFlow needed)")
    args = ap.parse_args(argv)
    cmsis = cmsis_nn_root()
    table = Table(title="Cortex-M4 (QEMU mps2-an386, gcc -O2): tinycc backends vs MLPerf Tiny published")
    for col in ("model", "backend", "flash", "flash over weights", "static RAM", "worst-case stack", "instructions",
                "est. cycles",
                f"ms @{MHZ} MHz", "TFLM ref cycles", "best published cycles", "vs best", "c target"):
        table.add_column(col, justify="left" if col in ("model", "backend") else "right")
    for rel in MODELS:
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, "absent", *[""] * 11)
            continue
        ref_ms, best_ms = PUBLISHED[path.stem]
        for backend in BACKENDS:
            row = _measure(path, backend, cmsis)
            vs = f"x{_count(row[5]) / (best_ms * MHZ * 1000):.2f}" if row[5] else ""
            table.add_row(path.stem, backend, *row, f"{ref_ms * MHZ * 1000:,.0f}", f"{best_ms * MHZ * 1000:,.0f}", vs,
                          _target(path.stem, _count(row[5])) if backend == "c" and row[5] else "")
    for rel in SIGNAL_MODELS:
        path = Path(args.models) / rel
        for backend in GENERATED_BACKENDS if path.exists() else []:
            table.add_row(path.stem, backend, *_measure(path, backend, cmsis), "", "", "", "")
        if not path.exists():
            table.add_row(rel, "absent", *[""] * 11)
    if not args.no_generated:
        with tempfile.TemporaryDirectory() as tmp:
            for stem, builder in {**BUILDERS, **WRITTEN, **TRANSFORMERS}.items():
                data, why = builder()
                if data is None:
                    table.add_row(stem, "not made", why, *[""] * 10)
                    continue
                path = Path(tmp) / f"{stem}.tflite"
                path.write_bytes(data)
                for backend in GENERATED_BACKENDS:
                    table.add_row(stem, backend, *_measure(path, backend, cmsis), "", "", "", "")
    Console().print(table)
    Console().print(cycles.ASSUMPTIONS, soft_wrap=True, highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
