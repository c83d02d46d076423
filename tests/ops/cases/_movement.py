"""What the byte-moving operators' cases share: a single-operator model with several outputs
(SPLIT, SPLIT_V, UNPACK), and quantisation shared by input and outputs."""
from __future__ import annotations

from tests.tflite_builder import q, random_scale, random_zp
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate


def shared_quant(rng, dtype):
    """A random per-tensor quantisation for int8 / int16, None for the other dtypes."""
    return q(random_scale(rng), random_zp(rng, dtype)) if dtype in ("int8", "int16") else None


def multi_op(op: str, inputs: list, outs: list, attrs: dict | None = None, validated: bool = True) -> bytes:
    """single_op (tests/tflite_builder.py) with several outputs: the .tflite bytes of a
    one-operator model whose every output is a model output."""
    tensors = {t.name: t for t in [*inputs, *outs]}
    node = Node(f"{op}_under_test", op, [t.name for t in inputs], [t.name for t in outs], dict(attrs or {}))
    g = Graph(op, tensors, [node], [t.name for t in inputs if not t.is_const], [t.name for t in outs],
              source=f"<{op} test>")
    return write_tflite(validate(g) if validated else g)
