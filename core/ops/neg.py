"""NEG: -x, float32 only (TFLM's neg.cc refuses every other type)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _map, _tflite, _unary

NAME = "neg"
ONNX_OP = "Neg"                   # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("float32",)
SIGNATURES = ("float32 -> float32",)
ELEMENTWISE = True
TFLITE = _tflite.TFLite("NEG")
prepare = _map.float_prepare
run = _map.float32(np.negative)


def quantized_form(node, fresh):
    """TFLM has no integer NEG: post-training quantisation computes -x as MUL(x, -1) instead (a
    constant -1 is exact in int8 and int16). Returns the node and the constants it adds."""
    from tinycc.core.graph import Node, Tensor
    minus_one = fresh(f"{node.name}/minus_one")
    const = Tensor(minus_one, (1,), "float32", data=np.array([-1.0], dtype=np.float32))
    return Node(node.name, "mul", [node.inputs[0], minus_one], list(node.outputs), {"activation": "none"}), [const]
