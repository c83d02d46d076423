"""The `tflite` and `tflite-ref` runtimes: LiteRT (the `ai-edge-litert` package), the desktop
TensorFlow Lite interpreter.

`tflite` uses LiteRT's default optimised kernels (they rescale int8 with one rounding and may
differ from TF Lite Micro by 1 LSB); `tflite-ref` uses its reference op resolver. A graph
imported from .tflite runs its source flatbuffer; others the flatbuffer tinycc's tflm backend
writes. Intermediate tensors come from `experimental_preserve_all_tensors` (for --per-layer).
"""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from tinycc.core.hookspec import hookimpl


@contextlib.contextmanager
def quiet_stderr():
    """LiteRT's C++ logs ("INFO: Created TensorFlow Lite XNNPACK delegate") go to fd 2: hide them."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def with_explicit_biases(g):
    """A copy of `g` where every convolution / fully-connected layer has a bias (zeros where the
    model had none). LiteRT's XNNPACK delegate crashes on a bias-less DEPTHWISE_CONV_2D (seen
    with ai-edge-litert 2.3); TF's converter always writes one, tinycc's writer does not."""
    import copy

    from tinycc.core import ops
    from tinycc.core.graph import Quant, Tensor
    g = copy.deepcopy(g)
    for node in g.nodes:
        if not ops.trait(node.op, "weighted"):         # input 1 the filter, input 2 the bias
            continue
        if len(node.inputs) > 2 and node.inputs[2] is not None:
            continue
        x, w = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
        channels = w.shape[ops.trait(node.op, "weight_quant_axis") or 0]    # the filter's output-channel axis
        name = f"{node.outputs[0]}/zero_bias"
        if w.dtype == "float32":
            g.tensors[name] = Tensor(name, (channels,), "float32", data=np.zeros(channels, np.float32))
        else:
            dtype = "int64" if x.dtype == "int16" else "int32"
            quant = Quant(x.quant.scale[0] * w.quant.scale, np.zeros(w.quant.scale.size, np.int64))
            g.tensors[name] = Tensor(name, (channels,), dtype, quant=quant, data=np.zeros(channels, dtype))
        node.inputs = [*node.inputs[:2], name]
    return g


def flatbuffer(g) -> bytes:
    if g.metadata.format == "tflite" and Path(g.source).is_file():
        return Path(g.source).read_bytes()
    from tinycc.backends.tflm.flatbuffer import write_tflite
    return write_tflite(with_explicit_biases(g))


class LiteRTRuntime:
    def __init__(self, reference: bool):
        self.reference = reference
        self.name = "tflite-ref" if reference else "tflite"
        self.description = ("LiteRT (ai-edge-litert) with its reference kernels" if reference
                            else "LiteRT (ai-edge-litert) with its default optimised kernels")

    def available(self):
        try:
            import ai_edge_litert.interpreter  # noqa: F401
        except ImportError as exc:
            return f"ai-edge-litert is not importable ({exc}); pip install 'tinycc-ml[tflite]'"
        return None

    def _interpreter(self, model: bytes, preserve: bool):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
        resolver = OpResolverType.BUILTIN_REF if self.reference else OpResolverType.AUTO
        with quiet_stderr(), warnings.catch_warnings():
            warnings.simplefilter("ignore")      # "preserve_all_tensors is for debugging": it is
            it = Interpreter(model_content=model, experimental_op_resolver_type=resolver,
                             experimental_preserve_all_tensors=preserve)
            it.allocate_tensors()
        return it

    @staticmethod
    def _invoke(it, inputs):
        for d, x in zip(it.get_input_details(), inputs):
            it.set_tensor(d["index"], np.ascontiguousarray(np.asarray(x).reshape(d["shape"]).astype(d["dtype"])))
        it.invoke()

    def run(self, g, inputs):
        return self.run_many(g, [inputs])[0]

    def run_many(self, g, samples):
        it = self._interpreter(flatbuffer(g), preserve=False)
        results = []
        for xs in samples:
            self._invoke(it, xs)
            results.append([it.get_tensor(d["index"]).copy() for d in it.get_output_details()][:len(g.outputs)])
        return results

    def run_layers(self, g, inputs) -> dict:
        """Every tensor LiteRT kept, by name (the names of the flatbuffer = the graph's)."""
        it = self._interpreter(flatbuffer(g), preserve=True)
        self._invoke(it, inputs)
        values = {}
        for d in it.get_tensor_details():
            if d["name"] in g.tensors and not g.tensors[d["name"]].is_const:
                try:
                    values[d["name"]] = it.get_tensor(d["index"]).copy()
                except ValueError:           # a tensor LiteRT did not allocate
                    pass
        return values


@hookimpl
def tinycc_runtimes():
    return [LiteRTRuntime(reference=False), LiteRTRuntime(reference=True)]
