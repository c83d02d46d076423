"""keras.applications models (weights=None, classes=10, MCU resolution) through tinycc: a table.

    python benchmarks/keras_applications.py [--tf] [NAME ...]

Per model (tests/keras_applications_models.py: CONFIGS, the data-dependent BatchNormalization
statistics, the structured random images): the float C build's largest error relative to Keras,
whether the int8 C output and TF Lite Micro's equal tinycc's reference byte for byte, top-1
agreement of int8 with float over 32 images (with --tf, also TensorFlow's own full-integer PTQ
on the same calibration images, run in TF Lite Micro), how many classes float's top-1 takes over
them, the first layer whose SQNR falls below
20 dB and the lowest, and arena and weight flash in float and int8. Nothing is downloaded and
nothing is written outside a temporary folder. Exit status 1 if a model fails.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


COLUMNS = ["model", "float err", "int8=ref", "agree", "TF agree", "classes", "first <20dB", "min dB", "arena f32",
           "flash f32", "arena i8", "flash i8", "s"]
WIDTHS = [24, 9, 8, 6, 8, 7, 18, 6, 10, 10, 9, 9, 5]


def _row(cells) -> str:
    return " ".join(f"{c!s:{w}}" if k == 0 else f"{c!s:>{w}}" for k, (c, w) in enumerate(zip(cells, WIDTHS)))


def main(argv=None) -> int:
    from tests.keras_applications_models import CONFIGS, FLOAT_RTOL, evaluate
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"models (default: all of {', '.join(CONFIGS)})")
    ap.add_argument("--tf", action="store_true", help="also measure TensorFlow's own PTQ agreement")
    args = ap.parse_args(argv)
    import warnings
    warnings.filterwarnings("ignore")           # TensorFlow's and Keras' deprecation chatter
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        print("needs TensorFlow (pip install 'tinycc-ml[keras]')")
        return 0
    print(_row(COLUMNS))
    status = 0
    for name in args.names or list(CONFIGS):
        start = time.time()
        with tempfile.TemporaryDirectory(prefix="tinycc-kapps-") as tmp:
            try:
                r = evaluate(name, tmp, tf_ptq=args.tf)
            except Exception as exc:             # a row, not a traceback: the table goes on
                print(f"{name:24} FAILED {type(exc).__name__}: {str(exc)[:300]}", flush=True)
                status = 1
                continue
        ok = r["float_rel_err"] <= FLOAT_RTOL and r["c_equal"] and r["tflm_equal"]
        status |= 0 if ok else 1
        drop = "-" if r["first_drop"] is None else f"#{r['first_drop'][0]} {r['first_drop'][1]}"
        tf = f"{r['tf_agreement']:.0%}" if "tf_agreement" in r else "-"
        print(_row([name, f"{r['float_rel_err']:.1e}", str(r["c_equal"] and r["tflm_equal"]), f"{r['agreement']:.0%}",
                    tf, r["float_classes"], drop, f"{r['min_sqnr']:.1f}", f"{r['float_arena']:,}",
                    f"{r['float_flash']:,}", f"{r['int8_arena']:,}", f"{r['int8_flash']:,}",
                    f"{time.time() - start:.0f}"]), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
