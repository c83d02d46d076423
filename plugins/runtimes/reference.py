"""The `reference` runtime: tinycc's own numpy interpreter (core.interpreter)."""
from __future__ import annotations

from tinycc.core import interpreter
from tinycc.core.hookspec import hookimpl


class ReferenceRuntime:
    name = "reference"
    description = "tinycc's numpy reference interpreter (bit-exact with TF Lite Micro)"

    def available(self):
        return None

    def run(self, g, inputs):
        return interpreter.run(g, inputs)

    def run_layers(self, g, inputs):
        return interpreter.Interpreter(g).run(inputs, keep_all=True)[1]


@hookimpl
def tinycc_runtimes():
    return [ReferenceRuntime()]
