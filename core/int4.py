"""4-bit weights (TFLite INT4): packing, unpacking and the checks an int4 constant must pass.

A core graph keeps an int4 weight as an int8 constant whose values lie in -8..7 and whose
`Tensor.int4` flag is set: every kernel and the reference interpreter compute with the int8
values (TF Lite Micro unpacks an INT4 filter into int8 before its int8 kernel runs), and the
flag says the constant is *stored* packed: two values a byte, element 2i in the low nibble of
byte i and element 2i+1 in the high nibble, an odd count leaving the last high nibble unused
(TFLite's `UnpackDenseInt4IntoInt8`: each nibble sign-extended). The TFLite importer, the
flatbuffer writer and the c backend pack and unpack with this module only.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor

LOW, HIGH = -8, 7          # what a nibble holds
QMIN, QMAX = -7, 7         # what tinycc's PTQ (and TFLite's int4 quantiser) writes: symmetric
OPS = ("conv_2d", "fully_connected", "depthwise_conv_2d")   # the ops whose weights may be int4
WEIGHTS_INPUT = 1


def packed_bytes(count: int) -> int:
    """Bytes of `count` int4 values packed two a byte."""
    return (count + 1) // 2


def unpack(raw: bytes, count: int) -> np.ndarray:
    """The `count` int8 values of packed int4 bytes, low nibble first, each sign-extended."""
    b = np.frombuffer(raw, dtype=np.uint8)[:packed_bytes(count)].astype(np.int16)
    low = ((b & 0x0F) ^ 0x08) - 0x08
    high = ((b >> 4) ^ 0x08) - 0x08
    out = np.empty(2 * b.size, dtype=np.int8)
    out[0::2], out[1::2] = low, high
    return out[:count]


def pack(values: np.ndarray) -> bytes:
    """Values in -8..7 (any shape, row-major) packed two a byte, low nibble first; an odd count
    leaves the last byte's high nibble 0."""
    v = np.asarray(values).reshape(-1).astype(np.int16)
    if v.size and (v.min() < LOW or v.max() > HIGH):
        raise ValueError(f"int4 values must lie in {LOW}..{HIGH}, got {int(v.min())}..{int(v.max())}")
    nib = (v & 0x0F).astype(np.uint8)
    if nib.size % 2:
        nib = np.append(nib, np.uint8(0))
    return (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8).tobytes()


def in_range(data: np.ndarray) -> bool:
    return data.size == 0 or (int(data.min()) >= LOW and int(data.max()) <= HIGH)


def is_int4(t: Tensor) -> bool:
    """Whether tensor `t` is an int4 weight stored packed (an int8 constant with its `int4` flag)."""
    return t.int4 and t.dtype == "int8" and t.data is not None


def check_weights(node: Node, g: Graph) -> None:
    """An int4 weight of `node` is an int8 constant in -8..7 with zero point 0, feeding an int8 op
    TF Lite Micro runs with int4 filters; else a TinyccError naming the node."""
    for name in node.inputs:
        t = g.tensors.get(name) if name is not None else None
        if t is None or not t.int4:
            continue
        where = dict(node=node.name, op=node.op)
        if node.op not in OPS or node.inputs.index(name) != WEIGHTS_INPUT:
            raise TinyccError(f"int4 tensor {name!r} feeds {node.op} as other than its weights",
                              hint="int4 is read only for the weights of conv_2d, depthwise_conv_2d and "
                                   "fully_connected (as TF Lite Micro does)", **where)
        if t.dtype != "int8" or t.data is None:
            raise TinyccError(f"int4 tensor {name!r} is not a constant", hint="int4 tensors must be weights",
                              **where)
        if not in_range(t.data):
            raise TinyccError(f"int4 weights {name!r} hold {int(t.data.min())}..{int(t.data.max())}, outside "
                              f"{LOW}..{HIGH}", **where)
        if t.quant is None or np.any(t.quant.zero_point != 0):
            raise TinyccError(f"int4 weights {name!r} need zero point 0 (symmetric quantisation)",
                              hint="TFLite's int4 weights are symmetric", **where)
        x = g.tensors.get(node.inputs[0]) if node.inputs and node.inputs[0] is not None else None
        if x is not None and x.dtype != "int8":
            raise TinyccError(f"int4 weights {name!r} with {x.dtype} activations are not supported",
                              hint="int4 weights run with int8 activations only (4w8a, as in TF Lite Micro)",
                              **where)


def tflite_packed(g: Graph) -> set[str]:
    """The int4 weights a TFLite file can carry as INT4: TF Lite Micro refuses an INT4 filter that is
    per-channel on FULLY_CONNECTED (fully_connected_common.cc), so such weights (and any feeding a node
    other than conv_2d / depthwise_conv_2d / per-tensor fully_connected) are written as INT8 values."""
    packed = {n for n, t in g.tensors.items() if is_int4(t)}
    for node in g.nodes:
        for k, name in enumerate(node.inputs):
            if name not in packed:
                continue
            t = g.tensors[name]
            if k != WEIGHTS_INPUT or node.op not in OPS or (
                    node.op == "fully_connected" and t.quant is not None and t.quant.per_channel):
                packed.discard(name)
    return packed
