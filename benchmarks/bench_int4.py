"""Benchmark: 4-bit weights (4w8a) against int8 on a Cortex-M4 (QEMU mps2-an386, tinycc/cycles.py's
estimated cycles): MLPerf Tiny's float AD (every layer fully connected), ResNet-8 (3x3 and 1x1 convs)
and VWW (MobileNet: conv, depthwise, 1x1 convs, fully connected) quantised by tinycc's PTQ on random
calibration samples, with int8 weights (the fast int8 kernels), int4 weights with the fast int4 kernels
(`--optimize speed`: ops/_s4_fast.py, fully connected and conv_2d) and with the reference int4 kernels
(`--optimize size`); the int4 rows give int4 weights to the conv_2d and fully_connected layers
(depthwise ones have no fast int4 kernel and stay int8) and, last, to every layer. Flash, the weights'
bytes, instructions and est. cycles; then the cmsis-nn backend with int8 weights and with int4 ones
(CMSIS-NN's s4 kernels: arm_convolve_wrapper_s4, arm_fully_connected_s4; tinycc's PTQ gives fully
connected layers per-channel weights, which CMSIS-NN's FC kernels do not take: AD runs the c kernels there).

    python benchmarks/bench_int4.py [--models DIR]
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

from tests.cmsis_nn_source import cmsis_nn_root  # noqa: E402
from tests.ops.check import random_inputs  # noqa: E402
from tinycc import cortexm, cycles  # noqa: E402
from tinycc.driver import compile_model  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

MODELS = {"ad01": "mlperf_tiny/ad01_fp32.tflite", "resnet": "mlperf_tiny/pretrainedResnet.tflite",
          "vww": "mlperf_tiny/vww_96_float.tflite"}
# (label, options): weights int8 / int4, which layers int4 ("convfc": conv_2d and fully_connected only)
CONFIGS = [("int8, fast kernels", {"weights": "int8"}),
           ("int4, fast kernels", {"weights": "int4", "layers": "convfc"}),
           ("int4, reference kernels (--optimize size)", {"weights": "int4", "layers": "convfc", "optimize": "size"}),
           ("int4 every layer, fast kernels", {"weights": "int4"}),
           ("int8, cmsis-nn", {"weights": "int8", "backend": "cmsis-nn"}),
           ("int4, cmsis-nn (s4 kernels)", {"weights": "int4", "layers": "convfc", "backend": "cmsis-nn"})]


def measure(path: Path, config: dict, cmsis) -> list[str]:
    """[flash, weights' bytes, instructions, est. cycles] of the c (or cmsis-nn) backend's build of `path`
    under `config`."""
    backend = config.get("backend", "c")
    if backend == "cmsis-nn" and cmsis is None:
        return ["CMSIS-NN unavailable", "", "", ""]
    g = load_tflite(path)
    rng = np.random.default_rng(0)
    calibration = [[rng.uniform(-1, 1, g.tensors[n].shape).astype(np.float32) for n in g.inputs] for _ in range(8)]
    options: dict = {"calibration": calibration, "weights": config["weights"],
                     "optimize": config.get("optimize", "speed")}
    if config.get("layers") == "convfc":
        options["int4_layers"] = [n.name for n in g.nodes if n.op in ("conv_2d", "fully_connected")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        if backend == "cmsis-nn":
            options["cmsis_nn_kernels"] = "dsp"     # built for the Cortex-M4: CMSIS-NN's DSP kernels' scratch
        report = compile_model(path, backend, out, name="model", options=options)
        rep = cortexm.build(out, "cortex-m4", cmsis_nn=cmsis if backend == "cmsis-nn" else None)
        gq = load_tflite(path)
        samples = [random_inputs(gq, np.random.default_rng(1))]
        layout = [(gq.tensors[n].shape, "float32") for n in gq.outputs]
        trace: list = []
        _, insns = cortexm.run(rep["elf"], "qemu-cortex-m4", samples, layout, count=True, trace=trace)
        est = cycles.estimate(rep["elf"], trace, len(samples))
    return [f"{rep['flash_bytes']:,}", f"{report['flash_weights_bytes']:,}", f"{insns:,}", f"{est.cycles:,}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=str(ROOT.parent / "shared" / "models"))
    args = ap.parse_args(argv)
    table = Table(title="4-bit weights vs int8 on a Cortex-M4 (est. cycles, zero wait states)")
    for col in ("model", "weights / kernels", "flash", "weights bytes", "instructions", "est. cycles"):
        table.add_column(col, justify="left" if col in ("model", "weights / kernels") else "right")
    cmsis = cmsis_nn_root()
    for stem, rel in MODELS.items():
        path = Path(args.models) / rel
        if not path.exists():
            table.add_row(stem, f"{rel} absent", "", "", "", "")
            continue
        for label, config in CONFIGS:
            if stem == "ad01" and label.startswith("int4 every layer"):
                continue        # every AD layer is fully connected: the same as the convfc row
            table.add_row(stem, label, *measure(path, config, cmsis))
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
