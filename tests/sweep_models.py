"""Test support: small float classifiers (.tflite bytes, written by tinycc's TFLite writer) and an
evaluation set for `tinycc sweep` tests and benchmarks/bench_sweep.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate

FEATURES, CLASSES = 16, 5


def mlp(seed: int, hidden: int) -> bytes:
    """x (1, 16) -> fully connected (hidden, relu) -> fully connected (5) -> softmax, random weights."""
    rng = np.random.default_rng(seed)

    def const(name, shape, sd):
        return Tensor(name, shape, "float32", data=rng.normal(0, sd, shape).astype(np.float32))

    t = {"x": Tensor("x", (1, FEATURES), "float32"), "w1": const("w1", (hidden, FEATURES), 0.4),
         "b1": const("b1", (hidden,), 0.1), "w2": const("w2", (CLASSES, hidden), 0.5),
         "b2": const("b2", (CLASSES,), 0.1)}
    for name in ("h", "l", "y"):
        t[name] = Tensor(name, (), "float32")
    nodes = [Node("fc1", "fully_connected", ["x", "w1", "b1"], ["h"], {"activation": "relu"}),
             Node("fc2", "fully_connected", ["h", "w2", "b2"], ["l"]),
             Node("softmax", "softmax", ["l"], ["y"])]
    return write_tflite(validate(Graph(f"mlp{hidden}", t, nodes, ["x"], ["y"], source=f"mlp{hidden}")))


def write_models(folder: Path, hidden=(8, 24)) -> list[Path]:
    paths = []
    for i, h in enumerate(hidden):
        p = Path(folder) / f"mlp{h}.tflite"
        p.write_bytes(mlp(i, h))
        paths.append(p)
    return paths


def write_data(path: Path, samples: int = 24, seed: int = 7) -> Path:
    """Inputs `x` (samples, 1, 16) and `labels` (class indices)."""
    rng = np.random.default_rng(seed)
    np.savez(path, x=rng.normal(size=(samples, 1, FEATURES)).astype(np.float32),
             labels=rng.integers(0, CLASSES, samples))
    return Path(path)
