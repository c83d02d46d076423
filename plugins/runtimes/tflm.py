"""The `tflm` runtime: TF Lite Micro's reference kernels through the `tflite-micro` package.

Runs the source flatbuffer of a graph imported from .tflite, or the graph written by the
tflm backend's flatbuffer writer otherwise. The engine (run, arena measurement) lives with
the tflm backend, which needs it to size and verify what it writes.
"""
from __future__ import annotations

from pathlib import Path

from tinycc.backends.tflm.interpreter import run_tflm
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
        if g.metadata.format == "tflite" and Path(g.source).is_file():
            model = Path(g.source).read_bytes()
        else:
            from tinycc.backends.tflm.flatbuffer import write_tflite
            model = write_tflite(g)
        return run_tflm(model, inputs)[:len(g.outputs)]


@hookimpl
def tinycc_runtimes():
    return [TFLMRuntime()]
