"""Benchmark: weight formats on the MLPerf Tiny models (issue 21): int8, int4 (`--weights int4`: every
conv_2d, depthwise_conv_2d and fully_connected layer, 4w8a), and TF Lite Micro's LUT compression
(`--compress-weights 4` / `2`, k-means tables) of the int8 weights, one markdown table per model.

Every row starts from the float model (VWW and ResNet-8 .tflite, AD's fp32 .tflite, and KWS's float
SavedModel, which needs TensorFlow; KWS's float .tflite is a hybrid model tinycc does not import) and
tinycc's own PTQ from the same calibration inputs; the LUT rows compress that int8 graph's weights.
The inputs are prune_tradeoff.py's random-but-structured ones, in each model's input range (smooth
images, MFCC-like and log-mel-like frames): calibration samples from seed 0, held-out ones from seed 1.
There are no labelled data sets here: top-1 agreement with the float model is a proxy for accuracy.

Columns: the c backend's flash for weights and constants (its report), the whole program's flash linked
for a Cortex-M4 (tinycc/cortexm.py: the model, its kernels and the QEMU runner, --gc-sections), the
conv/depthwise/FC layers' mean weight SQNR against the float weights, the outputs' SQNR and top-1
agreement against the float model on the held-out inputs (the outputs the Cortex-M4 build computes under
QEMU mps2-an386), estimated Cortex-M4 cycles per inference (tinycc/cycles.py, zero wait states, on the
first held-out input) and whether those outputs equal TF Lite Micro's Python interpreter running the same
graph written as a .tflite (int4 conv/depthwise, per-channel int4 fully connected as its INT8 values,
LUT weights as TFLM_DECODE operators), byte for byte on every held-out input. `--extra` adds
LUT-4 with uniform tables, int4 with the reference kernels (`--optimize size`) and the cmsis-nn backend
(CMSIS-NN's s4 kernels for int4 conv_2d and fully_connected; its depthwise layers keep int8 weights).

    python benchmarks/weight_formats.py [--models DIR] [--only vww,resnet,kws,ad] [--samples 32] [--extra]
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))       # tests.* (TFLM, CMSIS-NN) and benchmarks.* import from the repository root
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks.prune_tradeoff import logmel_like, mfcc_like, smooth_images  # noqa: E402
from tinycc import cortexm, cycles  # noqa: E402
from tinycc.backends.tflm.flatbuffer import write_tflite  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.passes.accuracy import sqnr_db  # noqa: E402
from tinycc.core.passes.compress_weights import CompressWeights  # noqa: E402
from tinycc.driver import compile_model, load_model, optimize_model, quantize_model  # noqa: E402

MODELS = {   # key -> (title, file under the models folder, input generator, classifies)
    "vww": ("VWW (MobileNet v1 0.25, 96x96)", "mlperf_tiny/vww_96_float.tflite",
            lambda rng, n, s: smooth_images(rng, n, s, 1.0), True),
    "resnet": ("ResNet-8 (CIFAR-10)", "mlperf_tiny/pretrainedResnet.tflite",
               lambda rng, n, s: smooth_images(rng, n, s, 255.0), True),
    "kws": ("KWS (DS-CNN, float SavedModel)", "mlperf_tiny/kws_ref_saved_model", mfcc_like, True),
    "ad": ("AD (FC autoencoder)", "mlperf_tiny/ad01_fp32.tflite", logmel_like, False),
}
# row label -> (weights, LUT bits, LUT method, backend, --optimize)
ROWS = {"int8": ("int8", None, None, "c", "speed"), "int4": ("int4", None, None, "c", "speed"),
        "LUT-4 (k-means)": ("int8", 4, "kmeans", "c", "speed"), "LUT-2 (k-means)": ("int8", 2, "kmeans", "c", "speed")}
EXTRA = {"LUT-4 (uniform)": ("int8", 4, "uniform", "c", "speed"),
         "int4, reference kernels": ("int4", None, None, "c", "size"),
         "int8, cmsis-nn": ("int8", None, None, "cmsis-nn", "speed"),
         "int4 conv/FC, cmsis-nn": ("int4-convfc", None, None, "cmsis-nn", "speed")}
WEIGHT_OPS = ("conv_2d", "depthwise_conv_2d", "fully_connected")
COLUMNS = ("weights", "weights+consts B", "flash B", "weights SQNR dB", "output SQNR dB", "top-1 agr.",
           "est. M4 cycles", "= TFLM")


def weights_sqnr(g_float, gq) -> float:
    """Mean over the conv/depthwise/FC layers of their weights' SQNR (dB, dequantised) against the float ones."""
    floats = {n.name: n for n in g_float.nodes}
    values = []
    for node in gq.nodes:
        fn = floats.get(node.name)
        if node.op not in WEIGHT_OPS or fn is None or len(node.inputs) < 2 or len(fn.inputs) < 2:
            continue
        w, fw = gq.tensors.get(node.inputs[1] or ""), g_float.tensors.get(fn.inputs[1] or "")
        if w is None or fw is None or w.data is None or fw.data is None or w.quant is None \
                or fw.dtype != "float32" or w.shape != fw.shape:
            continue
        scale = np.asarray(w.quant.scale, np.float64)
        zp = np.asarray(w.quant.zero_point, np.float64)
        if scale.size > 1:
            shape = [1] * len(w.shape)
            shape[w.quant.axis] = scale.size
            scale, zp = scale.reshape(shape), (zp.reshape(shape) if zp.size == scale.size else zp.reshape(-1)[0])
        value = sqnr_db(fw.data.astype(np.float64), (np.asarray(w.data, np.float64) - zp) * scale)
        if np.isfinite(value):
            values.append(value)
    return float(np.mean(values)) if values else float("nan")


def quantised(g_float, cal, weights: str, bits, method):
    """tinycc's PTQ of the float graph (int8 or int4 weights), its int8 weights LUT-compressed when `bits`."""
    opts: dict = {"calibration": cal, "weights": "int8" if weights == "int8" else "int4"}
    if weights == "int4-convfc":
        opts["int4_layers"] = [n.name for n in g_float.nodes if n.op in ("conv_2d", "fully_connected")]
    gq = quantize_model(copy.deepcopy(g_float), opts)
    if bits is not None:
        gq = CompressWeights(bits, method, g_float).run(gq)
    return gq


def measure(g_float, gq, row, test, ref, classes, cmsis) -> list[str]:
    """The table's cells for one row (graph `gq`)."""
    _, _, _, backend, optimize = row
    if backend == "cmsis-nn" and cmsis is None:
        return ["CMSIS-NN unavailable"] + [""] * 6
    options: dict = {"optimize": optimize}
    if backend == "cmsis-nn":
        options["cmsis_nn_kernels"] = "dsp"     # built for the Cortex-M4: CMSIS-NN's DSP kernels' scratch
    layout = [(gq.tensors[n].shape, gq.tensors[n].dtype) for n in gq.outputs]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        report = compile_model(copy.deepcopy(gq), backend, out, name="model", options=options)
        rep = cortexm.build(out, "cortex-m4", cmsis_nn=cmsis if backend == "cmsis-nn" else None)
        got = cortexm.run(rep["elf"], "qemu-cortex-m4", test, layout)
        trace: list = []
        cortexm.run(rep["elf"], "qemu-cortex-m4", test[:1], layout, count=True, trace=trace)
        est = cycles.estimate(rep["elf"], trace, 1)
    from tests.tflm import run_tflm
    model = write_tflite(gq)
    same = all(np.array_equal(np.asarray(run_tflm(model, xs)[0]).reshape(-1), np.asarray(o[0]).reshape(-1))
               for xs, o in zip(test, got))
    outs = np.stack([np.asarray(o[0], np.float64).reshape(-1) for o in got])
    sq = sqnr_db(ref, outs)
    top1 = f"{np.mean(outs.argmax(1) == ref.argmax(1)):.1%}" if classes else "-"
    return [f"{report['flash_weights_bytes']:,}", f"{rep['flash_bytes']:,}", f"{weights_sqnr(g_float, gq):.1f}",
            f"{sq:.1f}", top1, f"{est.cycles:,}", "yes" if same else "**no**"]


def markdown(title: str, rows: list[list[str]]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join(":--" if i == 0 else "--:" for i in range(len(COLUMNS))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--only", default=",".join(MODELS), help="comma-separated: " + ", ".join(MODELS))
    ap.add_argument("--samples", type=int, default=32, help="calibration samples, and as many held-out ones")
    ap.add_argument("--extra", action="store_true", help="also LUT-4 uniform, int4 reference kernels, cmsis-nn")
    args = ap.parse_args(argv)
    rows = {**ROWS, **(EXTRA if args.extra else {})}
    cmsis = None
    if args.extra:
        from tests.cmsis_nn_source import cmsis_nn_root
        cmsis = cmsis_nn_root()
    tables, notes = [], []
    for key in args.only.split(","):
        title, rel, make, classes = MODELS[key.strip()]
        path = Path(args.models) / rel
        if not path.exists():
            print(f"skip {title}: {path} not found", file=sys.stderr)
            continue
        try:
            g_float = optimize_model(load_model(path))
        except Exception as exc:          # noqa: BLE001 - e.g. TensorFlow missing for the KWS SavedModel
            print(f"skip {title}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        start = time.time()
        shape = g_float.tensors[g_float.inputs[0]].shape
        cal = make(np.random.default_rng(0), args.samples, shape)
        test = make(np.random.default_rng(1), args.samples, shape)
        ref = np.stack([np.asarray(interpreter.run(g_float, xs)[0], np.float64).reshape(-1) for xs in test])
        cells = []
        if classes:
            notes.append(f"{title}: the float model predicts {len(set(ref.argmax(1).tolist()))} distinct class(es) of "
                         f"{ref.shape[1]} on the held-out inputs")
        for label, row in rows.items():
            gq = quantised(g_float, cal, *row[:3])
            cells.append([label, *measure(g_float, gq, row, test, ref, classes, cmsis)])
            print(f"{key}: {label} done ({time.time() - start:.0f} s)", file=sys.stderr, flush=True)
        tables.append(markdown(title, cells))
    print("\n\n".join(tables))
    print("\n" + "\n".join(f"- {line}" for line in notes))
    print(f"\nPTQ from {args.samples} structured calibration inputs (seed 0); SQNR, top-1 agreement and the TFLM "
          f"check on {args.samples} held-out ones (seed 1), as computed by the Cortex-M4 build under QEMU; "
          "est. cycles: tinycc/cycles.py, zero wait states; flash: the linked QEMU program (model + kernels + "
          "runner, --gc-sections).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
