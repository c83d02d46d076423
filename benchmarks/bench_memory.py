"""Arena per shared model: the `c` backend's plan (in-place operators + scheduling, issue #9) vs
the plain plan, the issue's targets, and TF Lite Micro's activation arena; with patch-based
execution (--patch-tiles 4 and 8: the first layers in row bands) and its recomputed MACs.

    python benchmarks/bench_memory.py [--models DIR]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests.tflm import tflm_arena_bytes  # noqa: E402
from tinycc.backends.c.plugin import CBackend  # noqa: E402
from tinycc.core import planner  # noqa: E402
from tinycc.core.passes import memory  # noqa: E402
from tinycc.driver import patch_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

TARGETS = {"mlperf_tiny/kws_ref_model.tflite": 9000, "mlperf_tiny/vww_96_int8.tflite": 40000,
           "tflm_examples/person_detect.tflite": 40000, "mlperf_tiny/pretrainedResnet_quant.tflite": 36000,
           "mlperf_tiny/ad01_int8.tflite": 768}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    args = ap.parse_args(argv)
    table = Table(title="arena bytes: tinycc c backend vs target vs TF Lite Micro")
    for col in ("model", "plain plan", "in place + scheduled", "bound", "in-place ops", "target", "met",
                "TFLM activations", "4 bands (extra MACs)", "8 bands (extra MACs)"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for rel, target in TARGETS.items():
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(rel, "absent")
            continue
        g = load_tflite(path)
        plain = planner.plan(g).arena_bytes
        p = memory.plan(g, inplace=True, schedule=True)
        tflm = tflm_arena_bytes(path.read_bytes())["head"]
        patched = []
        for tiles in (4, 8):
            meta = patch_model(load_tflite(path), tiles, CBackend.plan_options).metadata
            info = meta.patch
            patched.append(f"{info.arena_after:,} (+{info.extra_macs / info.macs_before:.1%})" if info else
                           "no stage" if "no stage to patch" in meta.notes[-1] else "no gain")
        table.add_row(rel, f"{plain:,}", f"{p.arena_bytes:,}", f"{p.bound_bytes:,}", str(len(p.inplace)),
                      f"{target:,}", "yes" if p.arena_bytes <= target else "no", f"{tflm:,}", *patched)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
