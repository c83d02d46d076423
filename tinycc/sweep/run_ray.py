"""The points as Ray tasks on a Ray cluster (`ray` is an optional extra: pip install tinycc-ml[ray]).

Every model, data and calibration file goes into the object store once (ray.put) and each task gets
the references as top-level arguments, so a worker needs no shared file system; records come back
as data. Yields (index, record) as tasks finish. `address` None connects as ray.init() does (the
RAY_ADDRESS variable, else a fresh local instance); "auto" finds a cluster started on this machine.
"""
from __future__ import annotations

from collections.abc import Iterator

from tinycc.core.errors import TinyccError
from tinycc.sweep.points import run_point


def _ray():
    try:
        import ray
    except ImportError:
        raise TinyccError("--ray needs Ray, which is not installed",
                          hint="pip install 'tinycc-ml[ray]' (or run the sweep locally without --ray)") from None
    return ray


def run(tasks: list[dict], blobs: dict[str, bytes | None], address: str | None = None
        ) -> Iterator[tuple[int, dict]]:
    ray = _ray()
    if not tasks:
        return
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise TinyccError(f"cannot connect to the Ray cluster: {exc}", hint="--ray ADDRESS (host:port of the "
                              "head node, or auto for one started on this machine)") from None
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(run_point)
        refs = {bid: ray.put(data) for bid, data in blobs.items() if data is not None}
        pending = {remote.remote(t["point"], refs[t["model"]], refs.get(t["data"]), refs.get(t["calibration"]),
                                 t["settings"]): t["index"] for t in tasks}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                index = pending.pop(ref)
                try:
                    record = ray.get(ref)
                except ray.exceptions.RayError as exc:      # a worker died: the point's failure, not the sweep's
                    record = {"status": "internal-error", "error": f"Ray task failed: {exc}"}
                yield index, record
    finally:
        if started:
            ray.shutdown()
