"""A sweep from its grid to its records: files read once into bytes, cached points taken from the
cache, the others run locally (run_local) or on Ray (run_ray), each finished record cached at once.

Records come back in grid order whatever order the points finished in, so a local and a Ray run of
the same grid give equal lists.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tinycc.sweep.cache import Cache
from tinycc.sweep.points import FIELDS, point_key
from tinycc.sweep.spec import Spec

LOCAL = "local"


def plan(spec: Spec) -> tuple[list[dict], dict[str, bytes | None]]:
    """The tasks of the grid (each with its content key) and the bytes they refer to by id."""
    from tinycc.boards import load_boards
    boards = load_boards()
    blobs: dict[str, bytes | None] = {}

    def blob(path: str | None) -> str | None:
        if path is None:
            return None
        if path not in blobs:
            blobs[path] = Path(path).read_bytes()
        return path

    data = blob(spec.data)
    tasks = []
    for index, point in enumerate(spec.grid()):
        settings: dict = {"board": boards[point["target"]], "latency": spec.latency, "power": spec.power,
                    "max_samples": spec.max_samples}
        task: dict = {"index": index, "point": point, "model": blob(point["model"]), "data": data,
                      "calibration": blob(point["calibration"]), "settings": settings}
        task["key"] = point_key(point, blobs[point["model"]] or b"", blobs[data] if data else None,
                                blobs[task["calibration"]] if task["calibration"] else None, settings["board"],
                                {k: v for k, v in settings.items() if k != "board"})
        tasks.append(task)
    return tasks, blobs


def _identity(task: dict) -> dict:
    point = task["point"]
    return {"model": Path(point["model"]).name, "setting": point["setting"], "backend": point["backend"],
            "target": point["target"], "options": dict(point["options"]), "key": task["key"]}


def _complete(task: dict, record: dict) -> dict:
    """A record with every field (a crashed worker's has only its status and error), under the key
    this process computed (a Ray worker with another tinycc would compute another)."""
    full: dict = {k: None for k in FIELDS}
    full.update(_identity(task))
    full.update(record)
    full["key"] = task["key"]
    return full


def run_sweep(spec: Spec, cache_dir, *, jobs: int | None = None, ray: str | None = LOCAL,
              on_result: Callable[[dict, bool], None] | None = None) -> tuple[list[dict], int]:
    """(records in grid order, how many were computed rather than read from the cache).
    `ray`: LOCAL for the process pool, else the Ray address (None: ray.init()'s default)."""
    tasks, blobs = plan(spec)
    cache = Cache(cache_dir)
    records: list[dict | None] = [None] * len(tasks)
    todo = []
    for task in tasks:
        hit = cache.get(task["key"])
        if hit is None:
            todo.append(task)
            continue
        hit = {**hit, **_identity(task)}       # named as this sweep names it (a setting's name is not in the key)
        records[task["index"]] = hit
        if on_result:
            on_result(hit, True)
    if ray == LOCAL:
        from tinycc.sweep import run_local
        results = run_local.run(todo, blobs, jobs)
    else:
        from tinycc.sweep import run_ray
        results = run_ray.run(todo, blobs, ray)
    by_index = {t["index"]: t for t in tasks}
    for index, record in results:
        record = _complete(by_index[index], record)
        cache.put(record)
        records[index] = record
        if on_result:
            on_result(record, False)
    done = [r for r in records if r is not None]
    return done, len(todo)
