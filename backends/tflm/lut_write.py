"""The flatbuffer writer's LUT-compressed constants (core/lut.py): a constant with a `Tensor.lut` that
still decodes to its values is written as TF Lite Micro's compressor writes it, an encoded UINT8 tensor
(the packed indices) and an ancillary UINT8 tensor (the DECODE header and the value tables) feeding a
TFLM_DECODE operator placed right before each consumer, whose output (the decoded tensor, no buffer)
the consumer reads instead."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinycc.core import lut
from tinycc.core.graph import Node, Tensor


def written_lut(t: Tensor) -> lut.Lut | None:
    """The encoding to write for `t`, or None (not compressed, or a pass changed its values)."""
    if t.lut is None or t.data is None or t.int4 or t.dtype != "int8":
        return None
    return t.lut if np.array_equal(lut.decode(t.lut, t.shape), t.data) else None


def decode_ops(w, node: Node) -> tuple[list, Callable[[], None]]:
    """The TFLM_DECODE operator for `node`'s compressed inputs (none: []), and a function undoing the
    writer's mapping of those inputs to the decoded tensors (call it once `node` is written)."""
    pairs, outs, saved = [], [], {}
    for name in dict.fromkeys(n for n in node.inputs if n is not None and n not in w.made):
        t = w.g.tensors.get(name)
        enc = written_lut(t) if t is not None and name not in w.int4 else None
        if t is None or enc is None:
            continue
        axis = None if enc.channels == 1 or t.quant is None else int(t.quant.axis)
        encoded = Tensor(f"{name}_encoded", (len(enc.indices),), "uint8",
                         data=np.frombuffer(enc.indices, dtype=np.uint8))
        anc = lut.ancillary(enc, axis)
        ancillary = Tensor(f"{name}_ancillary", (len(anc),), "uint8", data=np.frombuffer(anc, dtype=np.uint8))
        pairs += [w.tensor(encoded, made=True), w.tensor(ancillary, made=True)]
        outs.append(w.tensor(Tensor(f"{name}_decoded", t.shape, t.dtype, t.quant), made=True))
        saved[name] = w.index.get(name)
        w.index[name] = outs[-1]                     # the node reads the decoded tensor

    def restore() -> None:
        for name, index in saved.items():
            if index is None:
                w.index.pop(name, None)
            else:
                w.index[name] = index

    if not pairs:
        return [], restore
    op = w.s.OperatorT()
    op.opcodeIndex = w.opcode(f"CUSTOM/{lut.DECODE_OP}")
    op.inputs = np.array(pairs, dtype=np.int32)
    op.outputs = np.array(outs, dtype=np.int32)
    return [op], restore
