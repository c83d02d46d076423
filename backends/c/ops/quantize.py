"""C emitter for quantize: float -> integer rounding kernel, or an integer rescale (unary.h between
int8 and int16, quantize.h for int32 in or out and int8 <-> uint8)."""
from __future__ import annotations

from tinycc.backends.c.emitter import SUFFIX, c_float
from tinycc.backends.c.ops._unary_common import emit_rescale, io

NARROW = ("int8", "int16")
SUFFIXES = {**SUFFIX, "uint8": "u8"}


def _int32(v: int) -> str:
    """An int32 bound as C: INT32_MIN has no literal of type int."""
    return "INT32_MIN" if v == -(1 << 31) else str(v)


def emit(node, m, p):
    if p["dtype"] != "float32":
        if p["dtype"] in NARROW and p["out_dtype"] in NARROW:
            return emit_rescale(node, m, p)
        m.use_kernel("quantize.h")
        x, y, n = io(node, m)
        lo, hi = (_int32(p[k]) for k in ("act_min", "act_max"))
        m.emit(f"tinycc_requantize_{SUFFIXES[p['dtype']]}_{SUFFIXES[p['out_dtype']]}({n}, {x}, {y}, "
               f"{p['input_zp']}, {p['multiplier']}, {p['shift']}, {p['output_zp']}, {lo}, {hi});")
        return
    m.use_kernel("unary_f32.h")
    m.needs_math = True
    x, y, n = io(node, m)
    m.emit(f"tinycc_quantize_f32_{SUFFIX[p['out_dtype']]}({n}, {x}, {y}, {c_float(p['scale'])}, {p['output_zp']});")
