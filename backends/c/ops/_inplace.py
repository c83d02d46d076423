"""In-place emission for convolutions the planner put over their input (core/inplace.py):
a call to tinycc_conv_inplace_s8 (kernels/inplace.h) with the ring scratch from the plan.
Elementwise in-place pairs need nothing: their kernels read element i before writing it."""
from __future__ import annotations

from tinycc.backends.c.ops._conv_common import bias_ptr, requant_arrays
from tinycc.core.inplace import conv_geometry


def applies(node, plan) -> bool:
    """The plan put this node's output over its input with a row ring: only this kernel is correct."""
    c = getattr(plan, "inplace", {}).get(node.name)
    return c is not None and c.kind == "rows"


def emit(node, m, p) -> None:
    c = m.plan.inplace[node.name]
    s = conv_geometry(node, m.g)
    dw = node.op == "depthwise_conv_2d"
    mult_ch = node.attrs.get("depth_multiplier", 1) if dw else 1
    m.use_kernel("inplace.h")
    shape = m.struct("tinycc_inplace_shape", f"{node.name}_inplace",
                     [s[k] for k in ("h", "w", "ci", "oh", "ow", "co", "kh", "kw", "sh", "sw", "dh", "dw",
                                     "pad_t", "pad_l")] + [mult_ch, int(dw), c.ring, int(c.backward)])
    buf = f"((int8_t *)(arena.bytes + {m.plan.offsets[node.outputs[0]]}))"
    ring = f"((int8_t *)(arena.bytes + {m.plan.offsets[node.name + '#inplace']}))"
    mult, shift = requant_arrays(node, m, p)
    m.emit(f"/* in place over its input, ring of {c.ring} row(s){' bottom-up' if c.backward else ''} */")
    m.emit(f"tinycc_conv_inplace_s8(&{shape}, {buf}, {m.ptr(node.inputs[1], const=True)}, {bias_ptr(node, m, 'int8')}, "
           f"{ring}, {p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']});")
