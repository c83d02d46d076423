"""In-place emission for convolutions the planner put over their input (core/inplace.py): the
conv / depthwise kernel's in-place variant (kernels/inplace.h drives the ring; each output row is
computed by the same row routine as the out-of-place kernel: the fast one with the folded bias
when it applies, else the reference one), with the ring scratch from the plan.
Elementwise in-place pairs need nothing: their kernels read element i before writing it."""
from __future__ import annotations

from tinycc.backends.c.ops import conv_2d, depthwise_conv_2d
from tinycc.backends.c.ops._conv_common import bias_ptr, requant_arrays
from tinycc.core.inplace import conv_geometry


def applies(node, plan) -> bool:
    """The plan put this node's output over its input with a row ring: only this kernel is correct."""
    c = getattr(plan, "inplace", {}).get(node.name)
    return c is not None and c.kind == "rows"


def emit(node, m, p) -> None:
    c = m.plan.inplace[node.name]
    s = conv_geometry(node, m.g)
    op = depthwise_conv_2d if node.op == "depthwise_conv_2d" else conv_2d
    kernel = "tinycc_depthwise_conv_2d_s8" if op is depthwise_conv_2d else "tinycc_conv_2d_s8"
    op.use_kernels(m)
    shape = op.shape_struct(node, m)
    ring_shape = m.struct("tinycc_ring_shape", f"{node.name}_ring",
                          [s["h"], s["oh"], s["kh"], s["sh"], s["dh"], s["pad_t"], s["w"] * s["ci"],
                           s["ow"] * s["co"], c.ring, int(c.backward)])
    buf = f"((int8_t *)(arena.bytes + {m.plan.offsets[node.outputs[0]]}))"
    ring = f"((int8_t *)(arena.bytes + {m.plan.offsets[node.name + '#inplace']}))"
    m.emit(f"/* in place over its input, ring of {c.ring} row(s){' bottom-up' if c.backward else ''} */")
    if op is depthwise_conv_2d:   # its own constants and call (depthwise_conv_2d.emit_inplace)
        depthwise_conv_2d.emit_inplace(node, m, p, shape, ring_shape, buf, ring)
        return
    cols = conv_2d.cols_constants(node, m, p) if op is conv_2d else None
    if cols is not None:     # conv: im2col rows, packed filter and 4-word requantisation (bias NULL; conv_2d.h)
        m.emit(f"{kernel}_fast_inplace(&{shape}, &{ring_shape}, {buf}, (const int8_t *){cols[0]}, NULL, "
               f"{cols[1]}, {ring}, "
               f"{p['input_zp']}, {p['output_zp']}, {cols[2]}, NULL, {p['act_min']}, {p['act_max']});")
        return
    mult, shift = requant_arrays(node, m, p)
    tail = f"{p['input_zp']}, {p['output_zp']}, {mult}, {shift}, {p['act_min']}, {p['act_max']}"
    w = m.ptr(node.inputs[1], const=True)
    folded = op.fast_constants(node, m, p)
    if folded is not None:
        m.emit(f"{kernel}_fast_inplace(&{shape}, &{ring_shape}, {buf}, {w}, {folded[0]}, {folded[1]}, {ring}, {tail});")
    else:
        m.emit(f"{kernel}_inplace(&{shape}, &{ring_shape}, {buf}, {w}, {bias_ptr(node, m, 'int8')}, {ring}, {tail});")
