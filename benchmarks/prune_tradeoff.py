"""Benchmark: the trade-off of `--prune-channels` (magnitude channel pruning without retraining)
on the MLPerf Tiny float models: ratio -> MACs, weight bytes, arena, and the pruned model's top-1
agreement and output SQNR against the unpruned float model.

There are no labelled data sets here, so the inputs are random but structured, in each model's
input range (the int8 twin's input scale): smooth images (low-resolution noise upsampled, plus a
colour gradient) for VWW ([0, 1]) and ResNet-8 ([0, 255]); MFCC-like frames for KWS (a slowly
varying energy row and smaller higher coefficients, in [-120, 25]); log-mel-like frames for the
anomaly-detection autoencoder (SQNR only: it has no classes). Agreement with the float model on
such inputs is a proxy for accuracy, not accuracy. The last rows of each model are what
`--max-accuracy-drop` picks for the given bounds (top-1 points, and output SQNR in dB), searched
on the calibration samples and measured on held-out ones, without and with `--prune-compensate`
(bias compensation from the calibration samples' channel means). Models
missing from the models folder (or the KWS SavedModel without TensorFlow) are skipped with the
reason.

    python benchmarks/prune_tradeoff.py [--models DIR] [--ratios 0,0.1,...] [--samples 64] [--drop 5]
"""
from __future__ import annotations

import argparse
import copy
import os
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tinycc.core import interpreter  # noqa: E402
from tinycc.core.passes.accuracy import sqnr_db  # noqa: E402
from tinycc.core.passes.prune_channels import prunable_layers, prune_model  # noqa: E402
from tinycc.driver import inspect_model, load_model, optimize_model  # noqa: E402


def smooth_images(rng, n, shape, scale):
    """Low-frequency random images: 4x4 to 8x8 noise upsampled bilinearly, plus a gradient."""
    _, h, w, c = shape
    out = []
    for _ in range(n):
        k = int(rng.integers(4, 9))
        coarse = rng.uniform(0, 1, (k, k, c))
        ys, xs = np.linspace(0, k - 1, h), np.linspace(0, k - 1, w)
        y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
        y1, x1 = np.minimum(y0 + 1, k - 1), np.minimum(x0 + 1, k - 1)
        fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
        img = (coarse[y0][:, x0] * (1 - fy) * (1 - fx) + coarse[y1][:, x0] * fy * (1 - fx)
               + coarse[y0][:, x1] * (1 - fy) * fx + coarse[y1][:, x1] * fy * fx)
        grad = np.linspace(0, 1, h)[:, None, None] * rng.uniform(-0.3, 0.3, c)
        out.append([(np.clip(img + grad, 0, 1) * scale)[None].astype(np.float32)])
    return out


def mfcc_like(rng, n, shape):
    """(1, frames, coefficients, 1): a slowly varying energy coefficient, smaller higher ones."""
    _, t, k, _ = shape
    out = []
    for _ in range(n):
        energy = -60 + 40 * np.convolve(rng.normal(0, 1, t + 8), np.ones(9) / 3, "valid")[:t]
        coef = rng.normal(0, 1, (t, k)) * np.linspace(15, 3, k)
        coef[:, 0] = energy
        out.append([np.clip(coef, -120, 25)[None, :, :, None].astype(np.float32)])
    return out


def logmel_like(rng, n, shape):
    """(1, 640): five frames of 128 smooth log-mel energies."""
    out = []
    for _ in range(n):
        base = np.cumsum(rng.normal(0, 0.5, 128)) - 20
        frames = np.stack([base + rng.normal(0, 1, 128) for _ in range(5)]).reshape(-1)
        out.append([frames.reshape(shape).astype(np.float32)])
    return out


MODELS = {   # name -> (file under the models folder, input generator)
    "VWW (MobileNet v1 0.25, 96x96)": ("mlperf_tiny/vww_96_float.tflite",
                                       lambda rng, n, s: smooth_images(rng, n, s, 1.0)),
    "ResNet-8 (CIFAR-10)": ("mlperf_tiny/pretrainedResnet.tflite", lambda rng, n, s: smooth_images(rng, n, s, 255.0)),
    "KWS (DS-CNN, SavedModel)": ("mlperf_tiny/kws_ref_saved_model", mfcc_like),
    "AD (FC autoencoder)": ("mlperf_tiny/ad01_fp32.tflite", logmel_like),
}


def outputs(g, samples):
    return np.stack([interpreter.run(g, xs)[0].reshape(-1) for xs in samples]).astype(np.float64)


def cells(h, test, ref, classes) -> tuple[str, str]:
    """(top-1 agreement, output SQNR dB) of pruned h against the unpruned outputs `ref` on `test`."""
    got = outputs(h, test)
    sq = sqnr_db(ref, got)
    return (f"{np.mean(got.argmax(1) == ref.argmax(1)):.1%}" if classes else "-",
            "inf" if sq == float("inf") else f"{sq:.1f}")


def cost(rep, h, channels) -> tuple[str, ...]:
    """(channels kept, MACs, weight bytes, the c backend's arena) of a pruned model."""
    removed = sum(len(v["pruned"]) for v in rep["layers"])
    return (f"{channels - removed}/{channels}", f"{rep['after']['macs']:,}",
            f"{rep['after']['weights_bytes']:,}", f"{inspect_model(h)['arena_bytes']:,}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--ratios", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7")
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--drop", default="5", help="a --max-accuracy-drop bound in top-1 points (classifiers)")
    ap.add_argument("--sqnr", default="20dB", help="a --max-accuracy-drop bound in output SQNR")
    ap.add_argument("--only", help="model names containing this text")
    args = ap.parse_args(argv)
    ratios = [float(r) for r in args.ratios.split(",")]
    console = Console(width=int(os.environ.get("COLUMNS", 130)))
    table = Table(title="--prune-channels trade-off (float, no retraining; agreement with the unpruned float model "
                        "on held-out samples; plain | with --prune-compensate)")
    for col in ("model", "ratio", "prunable ch.", "MACs", "weights B", "arena B", "top-1", "SQNR dB",
                "top-1 comp.", "SQNR comp."):
        table.add_column(col, justify="left" if col == "model" else "right")
    notes: list[str] = []
    for name, (rel, make) in MODELS.items():
        if args.only and args.only.lower() not in name.lower():
            continue
        path = Path(args.models) / rel
        if not path.exists():
            console.print(f"skip {name}: {path} not found")
            continue
        try:
            g = optimize_model(load_model(path))
        except Exception as exc:          # noqa: BLE001 - e.g. TensorFlow missing for the SavedModel
            console.print(f"skip {name}: {type(exc).__name__}: {exc}")
            continue
        shape = g.tensors[g.inputs[0]].shape
        cal = make(np.random.default_rng(0), args.samples, shape)       # the --calibration data
        test = make(np.random.default_rng(1), args.samples, shape)      # held out: the agreement columns
        ref = outputs(g, test)
        classes = ref.shape[1] > 1 and not name.startswith("AD")
        channels = sum(len(v.groups) for v in prunable_layers(g).values())
        notes.append(f"{name}: the float model predicts {len(set(ref.argmax(1).tolist()))} distinct classes on "
                     "the held-out inputs" if classes else f"{name}: no classes (SQNR only)")

        for r in ratios:
            h, rep = prune_model(copy.deepcopy(g), r, None, cal)
            hc, _ = prune_model(copy.deepcopy(g), r, None, cal, compensate=True)
            table.add_row(name, f"{r:g}", *cost(rep, h, channels), *cells(h, test, ref, classes),
                          *cells(hc, test, ref, classes))
            name = ""
        for bound in ([args.drop] if classes else []) + [args.sqnr]:
            for comp in (False, True):
                h, rep = prune_model(copy.deepcopy(g), None, bound, cal, compensate=comp)
                got = cells(h, test, ref, classes)
                table.add_row("", f"{rep['ratio']:g} (drop<={bound}{', comp.' if comp else ''})",
                              *cost(rep, h, channels),
                              *(("·", "·") + got if comp else got + ("·", "·")))
        table.add_section()
    console.print(table)
    for line in notes:
        console.print(line)
    console.print(f"inputs: {args.samples} random-but-structured samples per model (see the module docstring); "
                  "arena: the c backend's plan (in-place pairs, scheduling); weights: float32 bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
