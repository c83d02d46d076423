"""The fast int8 ADD / SUB path (kernels/optimised/addsub_s8_fast.h): inputs of the output's shape, TF Lite
Micro's rescaling in its SMMLAR form. `fast_params` gives the kernel's constants, or None when an
identity the kernel relies on does not hold for this layer (the reference tinycc_addsub_s8 runs)."""
from __future__ import annotations

import numpy as np

INT32_LIMIT = 1 << 31
HALF = 1 << 30                     # M of a factor of exactly 1/2 (the input with the larger scale)
SUM_BOUND = 1 << 29                # |x1 +- x2|: each rescaled input is at most 255 * 2^20 in magnitude


def _input(zp: int, m: int, shift: int, second: bool) -> list[int] | None:
    """(k, z, M, r, e) of one input (the header's comment); an exact 1/2 as the second input is
    marked M = 0 (its value the multiply-add alone), as the first in the general form."""
    if m == HALF and shift == 0:
        if second:
            return [1 << 19, -zp * (1 << 19), 0, 0, 0]
        return [1 << 22, -zp * (1 << 22), HALF, 1, 1]
    e = -shift
    if not (0 < m < INT32_LIMIT and 1 <= e <= 30):
        return None
    return [1 << 21, -zp * (1 << 21), m, 1 << (e - 1), e]


def fast_params(p: dict, sign: int, swap: bool = False) -> list[int] | None:
    """The kernel's constants (inputs in the kernel's order: swapped if `swap`), or None."""
    if p["dtype"] != "int8" or p["left_shift"] != 20:
        return None
    order = (2, 1) if swap else (1, 2)
    first, second = (_input(int(p[f"input{i}_zp"]), int(p[f"input{i}_multiplier"]), int(p[f"input{i}_shift"]), k == 1)
                     for k, i in enumerate(order))
    mo, eo, zp = int(p["output_multiplier"]), -int(p["output_shift"]), int(p["output_zp"])
    if first is None or second is None or not (0 < mo < INT32_LIMIT and 1 <= eo <= 30):
        return None
    ho = (2 * zp + 1) << (eo - 1)                    # 2^(e-1) + zp * 2^e
    if abs(ho) + SUM_BOUND + 1 >= INT32_LIMIT or not -128 <= p["act_min"] <= p["act_max"] <= 127:
        return None
    return [*first, *second, sign, mo, ho, eo, int(p["act_min"]), int(p["act_max"])]


def emit(node, m, p) -> bool:
    """Emit the fast call and return True, or False (nothing emitted) when the layer does not qualify."""
    g = m.g
    shape = tuple(g.tensors[node.outputs[0]].shape)
    if any(tuple(g.tensors[name].shape) != shape for name in node.inputs):    # same shapes (no broadcast walk)
        return False
    n = int(np.prod(shape))
    # ADD commutes: the input rescaled by exactly 1/2 (the larger scale) goes second, where it is cheapest
    swap = node.op == "add" and (int(p["input1_multiplier"]), int(p["input1_shift"])) == (HALF, 0)
    values = fast_params(p, 1 if node.op == "add" else -1, swap)
    if values is None:
        return False
    first, second = reversed(node.inputs) if swap else node.inputs
    m.use_kernel("dot_s8.h")
    m.use_kernel("elementwise.h")
    m.use_kernel("addsub_s8_fast.h")
    params = m.struct("tinycc_addsub_fast_params", f"{node.name}_fparams", values)
    fn = m.namer(f"{node.name}_addsub")
    m.local(f"#ifdef __GNUC__\n__attribute__((noinline))\n#endif\n"
            f"static void {fn}(const int8_t *a, const int8_t *b, int8_t *out) {{\n"
            f"    tinycc_addsub_s8_fast({n}, a, b, out, &{params});\n}}")
    m.emit(f"{fn}({m.ptr(first, const=True)}, {m.ptr(second, const=True)}, {m.ptr(node.outputs[0])});")
    return True
