"""Model inputs and outputs as data: random samples, and the raw byte streams the generated C
programs read and write (every tensor of a sample back to back, samples one after another)."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinycc.core.graph import Graph, np_dtype


def random_tensor(rng: np.random.Generator, shape: tuple[int, ...], dtype: str,
                  float_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """Uniform floats in `float_range`, integers over the dtype's whole range, or random booleans."""
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dtype == "float32":
        low, high = float_range
        return rng.uniform(low, high, size=shape).astype(np.float32)
    info = np.iinfo(np_dtype(dtype))
    if dtype == "uint64":                  # beyond int64, the default of rng.integers
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np.uint64)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(np_dtype(dtype))


def random_inputs(g: Graph, rng: np.random.Generator,
                  float_range: tuple[float, float] = (-1.0, 1.0)) -> list[np.ndarray]:
    return [random_tensor(rng, g.tensors[n].shape, g.tensors[n].dtype, float_range) for n in g.inputs]


def layout(g: Graph, names: Iterable[str]) -> list[tuple[tuple[int, ...], str]]:
    return [(tuple(g.tensors[n].shape), g.tensors[n].dtype) for n in names]


def pack(samples: list[list[np.ndarray]], tensors: list[tuple[tuple[int, ...], str]]) -> bytes:
    return b"".join(np.ascontiguousarray(x, dtype=np_dtype(dtype)).tobytes()
                    for xs in samples for x, (_, dtype) in zip(xs, tensors))


def unpack(raw: bytes, tensors: list[tuple[tuple[int, ...], str]], count: int) -> list[list[np.ndarray]]:
    results, pos = [], 0
    for _ in range(count):
        outs = []
        for shape, dtype in tensors:
            arr = np.frombuffer(raw, dtype=np_dtype(dtype), count=int(np.prod(shape)), offset=pos).reshape(shape)
            pos += arr.nbytes
            outs.append(arr.copy())
        results.append(outs)
    return results
