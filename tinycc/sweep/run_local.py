"""The points on this machine: a process pool of at most `jobs` workers (default: the cores).

Yields (index, record) as points finish, in finishing order. Workers start with the forkserver
method (a fresh interpreter, not a copy of the parent with its display thread).

A worker that dies (a crash in native code, a signal, the kernel's OOM killer) breaks the pool.
The points that were running then are among the first `jobs` unfinished ones in submission order
(the pool hands points out in that order), so those few run again one by one, each in a process of
its own: the one that kills its process again becomes an internal-error record ("worker died: ..."),
the others their records, and the remaining points go on in a new pool.

Test-only hook (never a user-facing option): with TINYCC_SWEEP_TEST_KILL_MODEL set to a model's
file name, a worker given a point of that model kills itself with SIGSEGV before computing it, as
a crashing compile would (tests/test_sweep.py). It is read in the parent and passed to the workers,
since the forkserver's processes do not see the parent's later environment.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tinycc.sweep.points import run_point

TEST_KILL = "TINYCC_SWEEP_TEST_KILL_MODEL"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:         # not Linux
        return max(1, os.cpu_count() or 1)


def _point(task: dict, blobs: dict[str, bytes | None], kill: str | None) -> dict:
    if kill is not None and Path(task["point"]["model"]).name == kill:
        os.kill(os.getpid(), signal.SIGSEGV)           # the test-only hook: a worker that crashes
    return run_point(task["point"], blobs[task["model"]] or b"", blobs.get(task["data"]),
                     blobs.get(task["calibration"]), task["settings"])


def _args(task: dict, blobs: dict[str, bytes | None], kill: str | None) -> tuple:
    """The task with only its own bytes (a worker needs no other model's)."""
    own = {task[k]: blobs.get(task[k]) for k in ("model", "data", "calibration") if task[k] is not None}
    return task, own, kill


def _child(conn, task: dict, blobs: dict, kill: str | None) -> None:
    conn.send(_point(task, blobs, kill))
    conn.close()


def _alone(context, task: dict, blobs: dict, kill: str | None) -> dict:
    """One point in a process of its own; a record of its death when the process dies."""
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, *_args(task, blobs, kill)), daemon=True)
    process.start()
    send.close()
    try:
        record = receive.recv()
    except EOFError:
        record = None
    finally:
        receive.close()
        process.join()
    if record is not None:
        return record
    code = process.exitcode
    how = f"exit status {code}"
    if code is not None and code < 0:
        try:
            how = f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    return {"status": "internal-error", "error": f"worker died: {how} (a crash in tinycc or a library it calls)"}


def _pool(context, tasks: list[dict], blobs: dict, jobs: int, kill: str | None,
          finished: set[int]) -> Iterator[tuple[int, dict]]:
    """The tasks in one pool until they are done or the pool breaks (finished: the indices done)."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(_point, *_args(t, blobs, kill)): t["index"] for t in tasks}
        try:
            for future in as_completed(futures):
                try:
                    record = future.result()
                except BrokenProcessPool:
                    continue                 # run again below
                finished.add(futures[future])
                yield futures[future], record
        finally:
            for future in futures:
                future.cancel()


def run(tasks: list[dict], blobs: dict[str, bytes | None], jobs: int | None = None) -> Iterator[tuple[int, dict]]:
    """tasks: {"index", "point", "model", "data", "calibration", "settings"} with blob ids for the bytes."""
    if not tasks:
        return
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    kill = os.environ.get(TEST_KILL) or None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tinycc.sweep.points"])
    todo = list(tasks)
    while todo:
        finished: set[int] = set()
        yield from _pool(context, todo, blobs, jobs, kill, finished)
        todo = [t for t in todo if t["index"] not in finished]
        suspects, todo = todo[:jobs], todo[jobs:]           # the points the broken pool was running
        for task in suspects:
            yield task["index"], _alone(context, task, blobs, kill)
