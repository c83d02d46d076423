"""The `onnxruntime` runtime: the source .onnx file run by Microsoft's onnxruntime (CPU).

It runs the user's file, not tinycc's graph, so it shows what the importer changed. Models
imported from another format are skipped with the reason. Inputs are fed by position; with
`--io-layout nhwc` the 4-D inputs/outputs are transposed between tinycc's NHWC and ONNX's NCHW.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.core.hookspec import hookimpl


class OnnxRuntime:
    name = "onnxruntime"
    description = "onnxruntime (CPU) on the source .onnx file"
    layers = False           # ONNX tensor names are not tinycc's: no per-layer comparison

    def available(self):
        try:
            import onnxruntime  # noqa: F401
        except ImportError as exc:
            return f"onnxruntime is not importable ({exc}); pip install 'tinycc-ml[onnx]'"
        return None

    def supports(self, g):
        if g.metadata.format != "onnx" or not Path(g.source).is_file():
            return f"onnxruntime runs .onnx files; this model came from {g.metadata.format or 'elsewhere'}"
        return None

    def _session(self, g):
        import onnxruntime as ort
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        return ort.InferenceSession(g.source, opts, providers=["CPUExecutionProvider"])

    def run(self, g, inputs):
        return self.run_many(g, [inputs])[0]

    def run_many(self, g, samples):
        sess = self._session(g)
        nhwc = g.metadata.io_layout == "nhwc"
        names = [i.name for i in sess.get_inputs()]
        results = []
        for xs in samples:
            feed = {}
            for name, x in zip(names, xs):
                x = np.asarray(x)
                feed[name] = x.transpose(0, 3, 1, 2) if nhwc and x.ndim == 4 else x
            outs = sess.run(None, feed)
            results.append([np.asarray(y).transpose(0, 2, 3, 1) if nhwc and np.ndim(y) == 4 else np.asarray(y)
                            for y in outs][:len(g.outputs)])
        return results


@hookimpl
def tinycc_runtimes():
    return [OnnxRuntime()]
