"""TF Lite Micro through the `tflite-micro` package: run a flatbuffer, measure its arena.

`measure_arena` reads TFLM's own figures from `print_allocations()`, which the C++ library
prints to file descriptor 2: 'total' is what the arena must hold, 'head' the non-persistent
part (activations and scratch), 'tail' the interpreter's persistent state.
"""
from __future__ import annotations

import os
import re
import tempfile

import numpy as np

from tinycc.core.errors import TinyccError

DEFAULT_ARENA = 8 << 20
_ALLOCATION = re.compile(r"Arena allocation (total|head|tail) (\d+) bytes")


def interpreter(model: bytes, arena_size: int = DEFAULT_ARENA):
    from tflite_micro import runtime
    return runtime.Interpreter.from_bytes(model, arena_size=arena_size)


def run_tflm(model: bytes, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Outputs of TF Lite Micro's interpreter for one set of inputs."""
    interp = interpreter(model)
    for i, x in enumerate(inputs):
        interp.set_input(np.ascontiguousarray(x).reshape(np.shape(x)), i)   # scalars stay 0-D
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(output_count(model))]


def output_count(model: bytes) -> int:
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb
    return schema_fb.Model.GetRootAs(model, 0).Subgraphs(0).OutputsLength()


def measure_arena(model: bytes) -> dict[str, int]:
    """TFLM's arena use for a model: {'total', 'head', 'tail'} bytes, as print_allocations() reports."""
    interp = interpreter(model)
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        try:
            os.dup2(capture.fileno(), 2)
            interp.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode(errors="replace")
    figures = {k: int(v) for k, v in _ALLOCATION.findall(text)}
    if "total" not in figures:
        raise TinyccError("could not read TF Lite Micro's arena size from print_allocations()",
                          hint=text[:200] or "nothing was printed")
    return figures
