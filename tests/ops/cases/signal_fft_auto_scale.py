"""SignalFftAutoScale cases: random int16 signals, some quiet (small peaks give big shifts)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

DTYPES = ("int16",)


def build(rng, dtype):
    n = int(rng.integers(1, 300))
    x = plain("x", (n,), "int16")
    y, s = act("y", (), "int16"), act("shift", (), "int32")
    node = Node("signal_fft_auto_scale_under_test", "signal_fft_auto_scale", ["x"], ["y", "shift"], {})
    g = Graph("fft_auto_scale", {"x": x, "y": y, "shift": s}, [node], ["x"], ["y", "shift"], source="<test>")
    return write_tflite(validate(g))
