"""C emitter for cast (int8 -> int8 is a table, see lut): one per-element conversion per dtype pair,
as core/ops/cast.py states it (uint32 too): float -> integer truncates and saturates (NaN: 0), integer ->
narrower integer wraps, -> bool is `!= 0`, bool -> is 0/1."""
from __future__ import annotations

from tinycc.backends.c.ops._map import SUFFIX, emit_map

BOUNDS = {"int8": ("-128", "127", "-128.0f", "127.0f"), "int16": ("-32768", "32767", "-32768.0f", "32767.0f"),
          "int32": ("INT32_MIN", "INT32_MAX", "-2147483648.0f", "2147483648.0f"),
          "uint32": ("0u", "UINT32_MAX", "0.0f", "4294967296.0f")}
BITS = {"int8": 8, "int16": 16, "int32": 32, "uint32": 32}


def body(src: str, dst: str, ctype: str) -> str:
    if dst == "bool":
        return "return (uint8_t)(v != 0);"
    if src == "bool":
        return f"return ({ctype})(v != 0);"
    if src == "uint32" and dst == "int32":      # wraps without an implementation-defined conversion
        return "return v <= 2147483647u ? (int32_t)v : (int32_t)(v - 2147483648u) - 2147483647 - 1;"
    if src == dst or dst == "float32" or (src != "float32" and BITS[dst] >= BITS[src]):
        return f"return ({ctype})v;"
    if src == "float32":           # NaN fails every comparison; the last cast is in range
        lo, hi, flo, fhi = BOUNDS[dst]
        return f"return v != v ? 0 : v <= {flo} ? {lo} : v >= {fhi} ? {hi} : ({ctype})v;"
    half = 1 << (BITS[dst] - 1)      # two's-complement wrap without an out-of-range conversion
    mask = (1 << BITS[dst]) - 1
    return f"return ({ctype})((int32_t)(((uint32_t)v & {mask}u) ^ {half}u) - {half});"


def emit(node, m, p):
    src, dst = p["dtype"], p["out_dtype"]
    emit_map(node, m, f"cast_{SUFFIX[src]}_{SUFFIX[dst]}", body(src, dst, m.ctype(node.outputs[0])))
