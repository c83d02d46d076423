"""The points on this machine: a process pool of at most `jobs` workers (default: the cores).

Yields (index, record) as points finish, in finishing order. Workers start with the forkserver
method (a fresh interpreter, not a copy of the parent with its display thread).
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from tinycc.sweep.points import run_point


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:         # not Linux
        return max(1, os.cpu_count() or 1)


def run(tasks: list[dict], blobs: dict[str, bytes | None], jobs: int | None = None) -> Iterator[tuple[int, dict]]:
    """tasks: {"index", "point", "model", "data", "calibration", "settings"} with blob ids for the bytes."""
    if not tasks:
        return
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tinycc.sweep.points"])
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(run_point, t["point"], blobs[t["model"]] or b"", blobs.get(t["data"]),
                               blobs.get(t["calibration"]), t["settings"]): t["index"] for t in tasks}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()
