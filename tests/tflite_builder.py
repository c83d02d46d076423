"""Test support: single-operator models built in code, written as real TFLite flatbuffers.

A test describes tensors and one operator in the core vocabulary; `single_op` validates the
graph (shapes inferred) and writes it with tinycc's TFLite writer. The bytes then go to TF
Lite Micro (the oracle) and back through tinycc's importer, so the importer is tested too.
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.validate import validate

INT_RANGE = {"int8": (-128, 127), "int16": (-32768, 32767)}


def q(scale, zero_point=0, axis=0) -> Quant:
    return Quant(np.asarray(scale, dtype=np.float32).reshape(-1),
                 np.asarray(zero_point, dtype=np.int64).reshape(-1), axis)


def act(name, shape, dtype, quant=None) -> Tensor:
    """An activation tensor (a model input, or the output when shape is ())."""
    return Tensor(name, tuple(int(d) for d in shape), dtype, quant)


def const(name, data, quant=None) -> Tensor:
    data = np.asarray(data)
    return Tensor(name, tuple(data.shape), str(data.dtype), quant, data)


def single_op(op: str, inputs: list[Tensor], out: Tensor, attrs: dict | None = None) -> bytes:
    """The .tflite bytes of a one-operator model: non-constant inputs become model inputs."""
    tensors = {t.name: t for t in [*inputs, out]}
    node = Node(f"{op}_under_test", op, [t.name for t in inputs], [out.name], dict(attrs or {}))
    g = Graph(op, tensors, [node], [t.name for t in inputs if not t.is_const], [out.name], source=f"<{op} test>")
    return write_tflite(validate(g))


def random_scale(rng: np.random.Generator, lo: float = 1e-3, hi: float = 0.5) -> float:
    return float(np.float32(np.exp(rng.uniform(np.log(lo), np.log(hi)))))


def random_zp(rng: np.random.Generator, dtype: str) -> int:
    return 0 if dtype == "int16" else int(rng.integers(-128, 128))


def random_int(rng: np.random.Generator, shape, dtype: str) -> np.ndarray:
    lo, hi = INT_RANGE[dtype]
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
