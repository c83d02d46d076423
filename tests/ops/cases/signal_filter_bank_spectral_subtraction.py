"""SignalFilterBankSpectralSubtraction cases: random uint32 channels and options (the noise
estimate state over several invocations: tests/ops/test_signal_ops.py)."""
from __future__ import annotations

from tests.ops.cases._signal import plain
from tests.tflite_builder import act
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

DTYPES = ("uint32",)


def attrs(rng, n):
    bits = int(rng.integers(0, 20))
    s, alt = (int(rng.integers(0, 1 << bits)) for _ in range(2))
    return {"num_channels": n, "smoothing": s, "one_minus_smoothing": (1 << bits) - s,
            "alternate_smoothing": alt, "alternate_one_minus_smoothing": (1 << bits) - alt,
            "min_signal_remaining": int(rng.integers(0, (1 << bits) + 1)), "smoothing_bits": int(rng.integers(0, 32)),
            "spectral_subtraction_bits": bits, "clamping": bool(rng.random() < 0.5)}


def model(n, options) -> bytes:
    x, y, noise = plain("x", (n,), "uint32"), act("y", (), "uint32"), act("noise", (), "uint32")
    node = Node("spectral_subtraction_under_test", "signal_filter_bank_spectral_subtraction", ["x"], ["y", "noise"],
                options)
    g = Graph("spectral_subtraction", {"x": x, "y": y, "noise": noise}, [node], ["x"], ["y", "noise"],
              source="<test>")
    return write_tflite(validate(g))


def build(rng, dtype):
    n = int(rng.integers(1, 64))
    return model(n, attrs(rng, n))
