"""Benchmark: the model zoo (tests/zoo_models.py: MCU-sized architectures with random seeded weights, the
PyTorch ones briefly trained on their synthetic task, PyTorch via torch.onnx.export and Keras `.keras`)
through tinycc, one row per architecture x framework.

Columns: float ok (tinycc's reference within 1e-4 relative of onnxruntime / Keras on 4 inputs), int8
(tinycc's PTQ on 32 calibration inputs: top-1 agreement with the framework's float on 32 other inputs
and the logits' SQNR, or SQNR for regressors), the `c` backend's arena and weights (its report), the
Cortex-M4 firmware's flash (weights + code + runtime, arm-none-eabi-size), instructions per inference under QEMU
(mps2-an386, tinycc's plugin, exact) and the estimated Cortex-M4 cycles (tinycc/cycles.py, zero wait
states) with their milliseconds at 120 MHz.

    python benchmarks/model_zoo.py [--only NAME ...] [--no-cortexm]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))      # the test helpers import as tests.* from the repository root

from tests.test_model_zoo import FLOAT_RTOL, MIN_AGREEMENT, MIN_SQNR_DB, SAMPLES, measure, sqnr_db  # noqa: E402
from tests.zoo_models import ZOO  # noqa: E402
from tinycc import cortexm, cycles  # noqa: E402
from tinycc.driver import compile_model  # noqa: E402

MHZ = 120


def _row(arch, tmp: Path, on_cortexm: bool) -> list[str]:
    m = measure(arch, tmp)
    rel = max(float(np.abs(f.reshape(e.shape) - e).max() / max(float(np.abs(e).max()), 1e-12))
              for f, e in zip(m["float"], m["expected"]))
    if arch.task == "classifier":
        agree = sum(int(np.argmax(e) == np.argmax(q)) for e, q in zip(m["expected"], m["int8"]))
        int8 = (f"top-1 {agree}/{SAMPLES}{'' if agree >= MIN_AGREEMENT * SAMPLES else ' (below 90%)'}, "
                f"{sqnr_db(m['expected'], m['int8']):.1f} dB")
    else:
        db = sqnr_db(m["expected"], m["int8"])
        int8 = f"SQNR {db:.1f} dB{'' if db >= MIN_SQNR_DB else ' (below 20)'}"
    rep = compile_model(m["gq"], "c", tmp / "out", name="model")
    cells = [f"ok ({rel:.0e})" if rel <= FLOAT_RTOL else f"NO ({rel:.0e})", int8, f"{rep['arena_bytes']:,}",
             f"{rep['flash_weights_bytes']:,}"]
    if not on_cortexm:
        return cells + ["", "", "", ""]
    gq = m["gq"]
    fw = cortexm.build(tmp / "out", "cortex-m4")
    layout = [(gq.tensors[n].shape, gq.tensors[n].dtype) for n in gq.outputs]
    trace: list = []
    _, insns = cortexm.run(fw["elf"], "qemu-cortex-m4", [[m["tests"][0]]], layout, count=True, trace=trace)
    est = cycles.estimate(fw["elf"], trace, 1)
    return cells + [f"{fw['flash_bytes']:,}", f"{insns:,}", f"{est.cycles:,}", f"{est.cycles / (MHZ * 1e3):.2f}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="architecture names or ids (name-framework)")
    ap.add_argument("--no-cortexm", action="store_true", help="skip the Cortex-M4 build and QEMU run")
    args = ap.parse_args(argv)
    table = Table(title="Model zoo through tinycc (random seeded weights; int8 = tinycc PTQ, 32 calibration inputs)")
    for col in ("architecture", "framework", "float ok", "int8", "arena", "weights", "M4 flash", "M4 instructions",
                "est. cycles", f"ms @{MHZ} MHz"):
        table.add_column(col, justify="left" if col in ("architecture", "framework", "int8", "float ok") else "right")
    for arch in ZOO:
        if args.only and arch.name not in args.only and arch.id not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                cells = _row(arch, Path(tmp), not args.no_cortexm)
            except Exception as e:                 # a missing framework (pytest.skip) or a failure: say so
                cells = [f"{type(e).__name__}: {str(e)[:60]}", *[""] * 7]
        table.add_row(arch.name, arch.framework, *cells)
        print(arch.id, *cells, sep=" | ", flush=True)
    Console(width=200).print(table)
    Console().print(cycles.ASSUMPTIONS, soft_wrap=True, highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
