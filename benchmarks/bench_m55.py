"""Cortex-M55 (Helium) against its own DSP path and the Cortex-M4: instructions per inference under
QEMU (tinycc's plugin) and estimated cycles (the Cortex-M4 model of tinycc/cycles.py for the M4; the
beat-based Cortex-M55 model of tinycc/cycles_m55.py, its assumptions printed below the table, for
both M55 builds) for the MLPerf Tiny int8 models, c and cmsis-nn backends, one random input each.
Cores: cortex-m4 (mps2-an386), cortex-m55+nomve (the M55 without Helium: CMSIS-NN's and tinycc's
DSP paths) and cortex-m55 (MVE: tinycc's kernels/optimised/mve_*.h, CMSIS-NN's MVE kernels).
The cmsis-nn output is compiled once with `--cmsis-nn-kernels any` (scratch for
both builds) and its arena given per build too.

    python benchmarks/bench_m55.py [--models DIR]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from tinycc import cortexm, cycles, cycles_m55
from tinycc.driver import compile_model
from tinycc.plugins.importers.tflite import load_tflite

MODELS = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]
CORES = ["cortex-m4", "cortex-m55+nomve", "cortex-m55"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=str(Path(__file__).resolve().parents[2] / "shared" / "models"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="tinycc-m55-") as tmp:
        for name in MODELS:
            path = Path(args.models) / "mlperf_tiny" / f"{name}.tflite"
            if not path.exists():
                print(f"{name}: not found under {args.models}")
                continue
            g = load_tflite(path)
            x = [[np.random.default_rng(0).integers(-128, 128, g.tensors[n].shape).astype(g.tensors[n].dtype)
                  for n in g.inputs]]
            layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
            for backend in ("c", "cmsis-nn"):
                out = Path(tmp) / f"{name}-{backend}"
                arenas = {}
                for kernels in (("dsp", "mve", "any") if backend == "cmsis-nn" else (None,)):
                    opts = {"cmsis_nn_kernels": kernels} if kernels else {}
                    rep = compile_model(str(path), backend, out, options=opts, force=True)
                    arenas[kernels] = rep["arena_bytes"]
                counts, cyc, outs = {}, {}, {}
                for core in CORES:
                    built = cortexm.build(out, core)
                    trace: list = []
                    o, counts[core] = cortexm.run(built["elf"], core, x, layout, count=True, trace=trace)
                    cyc[core] = (cycles.estimate(built["elf"], trace, 1).cycles if core == "cortex-m4"
                                 else cycles_m55.estimate(built["elf"], trace, 1).cycles)
                    outs[core] = [np.asarray(a).tobytes() for a in o[0]]
                same = len({tuple(v) for v in outs.values()}) == 1
                rows.append((name, backend, counts, cyc, arenas, same))
                print(name, backend, counts, cyc, arenas, "same outputs" if same else "OUTPUTS DIFFER", flush=True)
    print()
    print(f"{'model':24} {'backend':9} {'M4':>11} {'M55 no MVE':>11} {'M55 MVE':>11} {'MVE speed-up':>12}  "
          f"{'M4 cyc':>11} {'noMVE cyc':>11} {'MVE cyc':>11} {'cyc speed-up':>12}  arena")
    for name, backend, c, k, arenas, _ in rows:
        arena = (f"dsp {arenas['dsp']:,} / mve {arenas['mve']:,} / any {arenas['any']:,}" if backend == "cmsis-nn"
                 else f"{arenas[None]:,}")
        print(f"{name:24} {backend:9} {c['cortex-m4']:>11,} {c['cortex-m55+nomve']:>11,} {c['cortex-m55']:>11,} "
              f"{c['cortex-m55+nomve'] / c['cortex-m55']:>11.2f}x  {k['cortex-m4']:>11,} {k['cortex-m55+nomve']:>11,} "
              f"{k['cortex-m55']:>11,} {k['cortex-m55+nomve'] / k['cortex-m55']:>11.2f}x  {arena}")
    print()
    print("instructions: counted under QEMU; cyc: estimated cycles. " + cycles.assumptions())
    print(cycles_m55.ASSUMPTIONS)


if __name__ == "__main__":
    main()
