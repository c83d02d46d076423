"""Makes examples/tiny_kws_int8.tflite: a small int8 keyword-spotting-shaped CNN.

The model is written with tinycc's own TFLite writer from a core graph, with seeded random
weights: it shows the compile flow (and is used by tests) without shipping anyone's trained
model. Input: a 49x10 MFCC-like int8 feature map; output: 4 class probabilities (softmax).

    python examples/make_tiny_kws.py [OUT.tflite]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.validate import validate


def _quant(scale, zp=0, axis=0):
    return Quant(np.asarray(scale, dtype=np.float32).reshape(-1), np.asarray(zp, dtype=np.int64).reshape(-1), axis)


def build() -> Graph:
    rng = np.random.default_rng(2026)
    tensors: dict[str, Tensor] = {}
    nodes: list[Node] = []

    def activation(name, scale, zp):
        tensors[name] = Tensor(name, (), "int8", _quant(scale, zp))
        return name

    def weights(name, shape, in_scale, channel_axis=0):
        w = rng.integers(-127, 128, size=shape).astype(np.int8)
        scales = rng.uniform(0.002, 0.02, size=shape[channel_axis]).astype(np.float32)
        tensors[name] = Tensor(name, shape, "int8",
                               _quant(scales, np.zeros_like(scales, dtype=np.int64), channel_axis), w)
        bias = rng.integers(-2000, 2000, size=shape[channel_axis]).astype(np.int32)
        tensors[name + "_bias"] = Tensor(name + "_bias", bias.shape, "int32",
                                         _quant(scales * np.float32(in_scale), np.zeros(len(scales), np.int64)), bias)
        return name, name + "_bias"

    tensors["mfcc"] = Tensor("mfcc", (1, 49, 10, 1), "int8", _quant(0.05, -10))
    w, b = weights("conv1_w", (8, 3, 3, 1), 0.05)
    nodes.append(Node("conv1", "conv_2d", ["mfcc", w, b], [activation("conv1", 0.08, -128)],
                      {"strides": (2, 2), "activation": "relu"}))
    w, b = weights("dw2_w", (1, 3, 3, 8), 0.08, channel_axis=3)
    nodes.append(Node("dw2", "depthwise_conv_2d", ["conv1", w, b], [activation("dw2", 0.06, -128)],
                      {"pads": (1, 1, 1, 1), "activation": "relu"}))
    w, b = weights("pw2_w", (16, 1, 1, 8), 0.06)
    nodes.append(Node("pw2", "conv_2d", ["dw2", w, b], [activation("pw2", 0.07, -128)], {"activation": "relu"}))
    nodes.append(Node("pool", "average_pool_2d", ["pw2"], [activation("pool", 0.07, -128)],
                      {"kernel": (24, 4), "strides": (24, 4)}))
    nodes.append(Node("flatten", "reshape", ["pool"], [activation("flatten", 0.07, -128)], {"shape": (1, 16)}))
    w, b = weights("fc_w", (4, 16), 0.07)
    tensors[w].quant = _quant(0.0005, 0)                # per-tensor weights, as TFLite converters emit for FC
    tensors[b].quant = _quant(np.float32(0.07) * np.float32(0.0005), 0)
    nodes.append(Node("fc", "fully_connected", ["flatten", w, b], [activation("logits", 0.05, 5)]))
    nodes.append(Node("softmax", "softmax", ["logits"], [activation("probabilities", 1 / 256, -128)]))
    return validate(Graph("tiny_kws", tensors, nodes, ["mfcc"], ["probabilities"], source="make_tiny_kws.py"))


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("tiny_kws_int8.tflite")
    out.write_bytes(write_tflite(build()))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
