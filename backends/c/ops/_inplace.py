"""In-place emission for convolutions the planner put over their input (core/inplace.py): the
conv / depthwise kernel's in-place variant (kernels/common/inplace.h drives the ring; each output row is
computed by the same row routine as the out-of-place kernel: the fast one with the folded bias
when it applies, else the reference one: the op's VARIANTS table, its in-place functions),
with the ring scratch from the plan.
Elementwise in-place pairs need nothing: their kernels read element i before writing it."""
from __future__ import annotations

from tinycc.backends.c.ops import conv_2d, depthwise_conv_2d
from tinycc.backends.c.ops._variants import call, choose, common
from tinycc.core.inplace import conv_geometry


def applies(node, plan) -> bool:
    """The plan put this node's output over its input with a row ring: only this kernel is correct."""
    c = getattr(plan, "inplace", {}).get(node.name)
    return c is not None and c.kind == "rows"


def emit(node, m, p) -> None:
    c = m.plan.inplace[node.name]
    s = conv_geometry(node, m.g)
    op = depthwise_conv_2d if node.op == "depthwise_conv_2d" else conv_2d
    op.use_kernels(m)
    shape = op.shape_struct(node, m)
    ring_shape = m.struct("tinycc_ring_shape", f"{node.name}_ring",
                          [s["h"], s["oh"], s["kh"], s["sh"], s["dh"], s["pad_t"], s["w"] * s["ci"],
                           s["ow"] * s["co"], c.ring, int(c.backward)])
    values = common(node, p, shape)
    values.update(ring_shape=ring_shape, buf=f"((int8_t *)(arena.bytes + {m.plan.offsets[node.outputs[0]]}))",
                  ring=f"((int8_t *)(arena.bytes + {m.plan.offsets[node.name + '#inplace']}))")
    m.emit(f"/* in place over its input, ring of {c.ring} row(s){' bottom-up' if c.backward else ''} */")
    # the op's variant table: the first variant with an in-place function that applies
    v, constants = choose(op.VARIANTS, node, m, p, inplace=True)
    m.emit(call(v, {**values, **constants}, inplace=True))
