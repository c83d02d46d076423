"""What the CMSIS-NN twins share: the int8 in/out test, the cmsis_nn_dims / activation / context
initialisers, the weights (int8, or int4 packed for the s4 kernels) and the block every call is emitted in."""
from __future__ import annotations

import numpy as np

from tinycc.core import int4


def align4(n: int) -> int:
    return (n + 3) // 4 * 4


def int8_io(node, g) -> bool:
    """First input and the output are int8 (CMSIS-NN's s8 kernels)."""
    return g.tensors[node.inputs[0]].dtype == "int8" and g.tensors[node.outputs[0]].dtype == "int8"


def dims(shape) -> str:
    """A cmsis_nn_dims initialiser (n, h, w, c); other ranks as one row of c."""
    n, h, w, c = (list(shape) + [1, 1, 1, 1])[:4] if len(shape) == 4 else (1, 1, 1, int(np.prod(shape)))
    return f"{{ {n}, {h}, {w}, {c} }}"


def act(p) -> str:
    """A cmsis_nn_activation initialiser from prepare()'s clamp."""
    return f"{{ {p.get('act_min', -128)}, {p.get('act_max', 127)} }}"


def context(node, m, size: int) -> str:
    """A cmsis_nn_context initialiser over the node's planned scratch (NULL when it has none)."""
    index = m.g.index_of(node)
    key = m.plan.scratch.get(index)
    buf = f"(arena.bytes + {m.plan.offsets[key]})" if key is not None else "NULL"
    return f"{{ {buf}, {size} }}"


def planned_scratch(node, m) -> int:
    """The bytes of the node's scratch buffer in the plan (0 when it has none): the size its
    cmsis_nn_context passes, and the bound CMSIS-NN's *_get_buffer_size is checked against."""
    index = m.g.index_of(node)
    key = m.plan.scratch.get(index)
    if key is None:
        return 0
    return next(b.size for b in m.plan.buffers if b.name == key)


def io(node, m) -> tuple[str, str]:
    """C pointers to the first input and the output."""
    return m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])


def s4(node, g) -> bool:
    """The node's weights are int4 (core/int4.py): CMSIS-NN's s4 kernels (4-bit weights, int8 activations)."""
    return int4.is_int4(g.tensors[node.inputs[1]])


def weights(node, m) -> str:
    """C pointer to the weights as CMSIS-NN reads them: the int8 tensor, or int4 values packed two a byte, low
    nibble first, over the whole tensor (the s4 kernels' order, TFLite's: int4.pack)."""
    w = m.g.tensors[node.inputs[1]]
    if not int4.is_int4(w):
        return m.ptr(node.inputs[1], const=True)
    packed = m.const_array(np.frombuffer(int4.pack(w.data), dtype=np.int8), "w4b",
                           comment=f"{node.inputs[1]} int4 {list(w.shape)}, two a byte, low nibble first")
    return f"(const int8_t *){packed}"


def bias(node, m) -> str:
    return m.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 and node.inputs[2] else "NULL"


def block(m, lines: list[str]):
    """The node's statements as one C block (its locals scoped to it)."""
    m.uses_cmsis_nn = True
    m.emit("{ " + " ".join(lines) + " }")
