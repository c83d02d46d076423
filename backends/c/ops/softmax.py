"""C emitter for softmax: the int8 kernel (TFLM's fixed-point exp computed in C, no table), the int16 kernel
with TFLM's two interpolated tables, or the float kernel."""
from __future__ import annotations

from tinycc.backends.c.emitter import c_float


def emit(node, m, p):
    x = m.g.tensors[node.inputs[0]]
    depth = x.shape[-1]
    rows = x.size // depth
    src, dst = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.needs_math = True
        m.use_kernel("softmax_f32.h")
        m.emit(f"tinycc_softmax_f32({rows}, {depth}, {src}, {dst}, {c_float(node.attrs['beta'])});")
        return
    m.use_kernel("sat_shl.h")
    m.use_kernel("softmax.h")
    if p["dtype"] == "int16":
        m.use_kernel("softmax_s16.h")           # after softmax.h, whose helpers it uses
        exp_lut = m.const_array(p["exp_lut16"], "softmax_exp16", comment="exp on [-10, 0], TFLM's gen_lut")
        recip = m.const_array(p["recip_lut16"], "softmax_recip16", comment="1 / (1 + x) on [0, 1], TFLM's gen_lut")
        m.emit(f"tinycc_softmax_s16({rows}, {depth}, {src}, {dst}, {exp_lut}, {recip}, {p['input_multiplier']}, "
               f"{p['input_left_shift']});")
        return
    suffix = "s8" if p["out_dtype"] == "int8" else "s8_s16"
    # each exp adds at most 2^19 to the Q12.19 sum: TFLM's int32 arithmetic is exact while the sum stays
    # below 2^28 (int8 out: the divide exponent bits_over_unit + 23 <= 31) or 2^31 (int16 out)
    if depth << 19 < (1 << 28 if p["out_dtype"] == "int8" else 1 << 31):
        suffix += "_short"
    m.emit(f"tinycc_softmax_{suffix}({rows}, {depth}, {src}, {dst}, {p['input_multiplier']}, "
           f"{p['input_left_shift']}, {p['diff_min']});")
