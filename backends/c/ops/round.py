"""C emitter for round (float32 only): to the nearest integer, halves to even, as TFLM's
RoundToNearest (floor, then up when the rest is above a half or a half above an odd floor)."""
from __future__ import annotations

from tinycc.backends.c.ops._map import emit_map

BODY = ("const float f = floorf(v);\n    const float d = v - f;\n"
        "    return (d < 0.5f || (d == 0.5f && fmodf(f, 2.0f) == 0.0f)) ? f : f + 1.0f;")


def emit(node, m, p):
    emit_map(node, m, "round_f32", BODY, math=True)
