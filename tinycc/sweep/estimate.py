"""Cycles per MAC for a sweep's latency estimate on cores tinycc does not emulate (the ESP32-S3's
Xtensa LX7): one figure per backend, measured the same way for all of them, so a sweep's ranking of
backends on such a board is the ranking their code earns on the core tinycc does time.

The figures: the Cortex-M4 cycle model's estimated cycles (tinycc/cycles.py; QEMU, gcc -O2,
`python benchmarks/bench_cortexm.py`, the README's Cortex-M4 table) of the four int8 MLPerf Tiny
models (KWS, VWW, ResNet-8, AD: 22,955,400 MACs in all) summed, over their MACs summed:

    c          35,128,851 cycles  1.53 per MAC  (per model 1.75, 1.65, 1.41, 1.63)
    cmsis-nn   67,418,841 cycles  2.94 per MAC  (2.66, 2.75, 3.11, 2.77; its DSP kernels)
    microtvm   40,074,900 cycles  1.75 per MAC  (2.01, 2.03, 1.52, 1.65)
    tflm      179,610,000 cycles  7.82 per MAC  (MLPerf Tiny v1.0's published TF Lite Micro
                                                 reference-kernel latencies at 120 MHz: tinycc cannot
                                                 run the tflm backend's output under QEMU)
    stm32cubeai                   1.53 per MAC  (its project runs tinycc's c kernels)

The backends' own declared figures (core/backend.py cycles_per_mac, used by `tinycc report`) are
instruction counts from other measurements (c 12, cmsis-nn 3) and would rank cmsis-nn 4x ahead of
c where the emulated boards show c ahead; a backend not listed here (a plugin's) keeps its own
declared figure. Every such latency is an estimate: the records say so (latency_source "MAC
estimate", with the cycles per MAC used), the table marks it with "~". The figures are for int8
models on a core with a single-cycle multiply-accumulate; a float model or another core's
instruction set can differ by a large factor.
"""
from __future__ import annotations

CYCLES_PER_MAC = {"c": 1.53, "cmsis-nn": 2.94, "microtvm": 1.75, "tflm": 7.82, "stm32cubeai": 1.53}


def cycles_per_mac(backend: str) -> float | None:
    """The sweep's figure for `backend`, None for a backend it has not measured (its own is used)."""
    return CYCLES_PER_MAC.get(backend)
