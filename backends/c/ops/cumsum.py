"""C emitter for CUMSUM: the (outer, depth, inner) box and the options; int8 adds its rescaling
constants from prepare (kernels/reference/cumsum.h)."""
from __future__ import annotations


def emit(node, m, p):
    m.use_kernel("cumsum.h")
    box = f"{p['outer']}, {p['depth']}, {p['inner']}, {int(p['exclusive'])}, {int(p['reverse'])}"
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if p["dtype"] == "float32":
        m.emit(f"tinycc_cumsum_f32({x}, {y}, {box});")
        return
    q = m.struct("tinycc_cumsum_q", f"{node.name}_cumsum",
                 [p["input_zp"], p["input_multiplier"], p["input_shift"], p["output_multiplier"], p["output_shift"],
                  p["output_zp"], p["start"]])
    m.emit(f"tinycc_cumsum_s8({x}, {y}, {box}, &{q});")
