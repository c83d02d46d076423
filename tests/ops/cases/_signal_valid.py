"""Models of the signal library's framing operators (SignalStacker, SignalFramer): one int16
input, two outputs (the frames and the output_valid flag, bool scalar)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate


def model(op: str, shape: tuple[int, ...], attrs: dict) -> bytes:
    x, y, valid = plain("x", shape, "int16"), act("y", (), "int16"), act("valid", (), "bool")
    node = Node(f"{op}_under_test", op, ["x"], ["y", "valid"], dict(attrs))
    g = Graph(op, {"x": x, "y": y, "valid": valid}, [node], ["x"], ["y", "valid"], source=f"<{op} test>")
    return write_tflite(validate(g))
