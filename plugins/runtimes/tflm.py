"""The `tflm` runtime: TF Lite Micro's reference kernels through the `tflite-micro` package.

Runs the source flatbuffer of a graph imported from .tflite (a writer for other graphs comes
with the tflm backend).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.hookspec import hookimpl


class TFLMRuntime:
    name = "tflm"
    description = "TF Lite Micro interpreter (tflite-micro package, reference kernels)"

    def available(self):
        try:
            from tflite_micro import runtime  # noqa: F401
        except ImportError as exc:
            return f"tflite-micro is not importable ({exc})"
        return None

    def run(self, g, inputs):
        from tflite_micro import runtime
        if g.metadata.get("format") != "tflite":
            raise TinyccError("the tflm runtime can only run models imported from .tflite for now", file=g.source)
        data = Path(g.source).read_bytes()
        interp = runtime.Interpreter.from_bytes(data, arena_size=max(len(data) * 10, 1 << 20))
        for i, x in enumerate(inputs):
            interp.set_input(np.ascontiguousarray(x), i)
        interp.invoke()
        return [np.array(interp.get_output(i)) for i in range(len(g.outputs))]


@hookimpl
def tinycc_runtimes():
    return [TFLMRuntime()]
