"""Benchmark: `tinycc sweep` wall time for a 64-point grid with 1 and with 2 local workers, and the
speed-up.

The grid: 4 small float MLPs (tests/sweep_models.py: hidden 8, 16, 24, 32) x 2 quantisation settings
(float, int8 min/max) x 2 backends (c, tflm) x 4 boards (stm32f446, arduino-nano-33-ble, pico2,
esp32-s3), with a 24-sample evaluation set. Each run starts from an empty cache; a third run with
the cache of the second computes nothing (the cost of reading 64 cached records). `--latency macs`
(default) estimates latency from MACs; `--latency auto` counts instructions under QEMU on the
Cortex-M boards (slower, closer to a real sweep).

    python benchmarks/bench_sweep.py [--latency auto|macs] [--jobs 1,2]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sweep_models import mlp, write_data  # noqa: E402
from tinycc.sweep.engine import run_sweep  # noqa: E402
from tinycc.sweep.spec import from_flags  # noqa: E402

HIDDEN = (8, 16, 24, 32)
BOARDS = ("stm32f446", "arduino-nano-33-ble", "pico2", "esp32-s3")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency", choices=("auto", "qemu", "macs"), default="macs")
    ap.add_argument("--jobs", default="1,2", help="worker counts to time, comma-separated (default 1,2)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        folder = Path(tmp)
        models = []
        for i, h in enumerate(HIDDEN):
            models.append(folder / f"mlp{h}.tflite")
            models[-1].write_bytes(mlp(i, h))
        data = write_data(folder / "eval.npz")
        grid = from_flags(models, ["c", "tflm"], list(BOARDS), ["none", "int8"], data=str(data),
                          latency=args.latency)
        points = len(grid.grid())
        times: dict[int, float] = {}
        for jobs in (int(j) for j in args.jobs.split(",")):
            cache = folder / f"cache-{jobs}"
            start = time.perf_counter()
            records, computed = run_sweep(grid, cache, jobs=jobs)
            times[jobs] = time.perf_counter() - start
            failed = sum(r["status"] != "ok" for r in records)
            print(f"{points} points, {jobs} worker{'s' if jobs > 1 else ''}: {times[jobs]:.1f} s "
                  f"({computed} computed, {failed} failed)", flush=True)
        start = time.perf_counter()
        _, computed = run_sweep(grid, cache, jobs=jobs)
        print(f"re-run from the cache: {time.perf_counter() - start:.2f} s ({computed} computed)")
        if 1 in times and len(times) > 1:
            most = max(times)
            print(f"speed-up with {most} workers: {times[1] / times[most]:.2f}x")


if __name__ == "__main__":
    main()
