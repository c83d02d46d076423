"""C emitter for svdf: one call to tinycc_svdf_{s8_s16,s8_s8,f32} (kernels/svdf.h) with prepare's
constants in a tinycc_svdf_params struct; the state input is a variable tensor, so `m.ptr` points it
into the persistent state buffer (outside the arena, kept across invokes, NAME_reset() restores it)."""
from __future__ import annotations

from tinycc.backends.c.ops._conv_common import float_range
from tinycc.core.errors import TinyccError
from tinycc.core.ops import svdf as core_svdf


def emit(node, m, p):
    batch, size, filters, _, memory, rank = core_svdf.dims(node, m.g)
    state = node.inputs[4]
    if state not in m.plan.state_offsets:
        raise TinyccError("the memory plan did not place the SVDF state in the state buffer", node=node.name,
                          op=node.op, hint="the state must be a variable tensor (TFLite is_variable)")
    m.use_kernel("svdf.h")
    integer = p["dtype"] == "int8"
    values = [batch, size, filters, memory, rank, p.get("input_zp", 0), p.get("state_zp", 0), p.get("output_zp", 0),
              p.get("multiplier_1", 0), p.get("shift_1", 0), p.get("multiplier_2", 0), p.get("shift_2", 0)]
    params = m.struct("tinycc_svdf_params", f"{node.name}_svdf", values)
    x, wf, wt, bias = (m.ptr(n, const=True) for n in node.inputs[:4])
    s, y = m.ptr(state), m.ptr(node.outputs[0])
    if integer:
        suffix = "s8_s16" if p["state_dtype"] == "int16" else "s8_s8"
        m.emit(f"tinycc_svdf_{suffix}({x}, {wf}, {wt}, {bias}, {s}, {y}, &{params});")
    else:
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_svdf_f32({x}, {wf}, {wt}, {bias}, {s}, {y}, &{params}, {lo}, {hi});")
