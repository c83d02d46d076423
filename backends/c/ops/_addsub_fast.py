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


def _layer(node, g, p) -> tuple[int, tuple, tuple, list[int]] | None:
    """(element count, inputs in the kernel's order, group key, kernel constants) of a layer the fast path
    takes, or None."""
    shape = tuple(g.tensors[node.outputs[0]].shape)
    if any(tuple(g.tensors[name].shape) != shape for name in node.inputs):    # same shapes (no broadcast walk)
        return None
    # ADD commutes: the input rescaled by exactly 1/2 (the larger scale) goes second, where it is cheapest
    swap = node.op == "add" and (int(p["input1_multiplier"]), int(p["input1_shift"])) == (HALF, 0)
    values = fast_params(p, 1 if node.op == "add" else -1, swap)
    if values is None:
        return None
    n = int(np.prod(shape))
    # what picks the kernel's loop (which of its four, and whether a 1..3 element head runs): one function each
    key = (values[7] == 0, values[14:] == [-128, 127], n % 4 == 0)
    return n, tuple(reversed(node.inputs) if swap else node.inputs), key, values


def _groups(m) -> dict:
    """{"groups": the constants (element count last) of the model's fast ADD / SUB layers by group key,
    "functions": the function made for each group key so far}."""
    if "addsub_fast" not in m.shared:
        from tinycc.core import ops
        groups: dict[tuple, list[list[int]]] = {}
        for node in m.g.nodes:
            if node.op in ("add", "sub"):
                p = ops.require(node.op).prepare(node, m.g)
                layer = _layer(node, m.g, p) if p["dtype"] == "int8" else None
                if layer is not None:
                    groups.setdefault(layer[2], []).append([*layer[3], layer[0]])
        m.shared["addsub_fast"] = {"groups": groups, "functions": {}}
    return m.shared["addsub_fast"]


def emit(node, m, p) -> bool:
    """Emit the fast call and return True, or False (nothing emitted) when the layer does not qualify.
    The layers of one group key share one small function (not inlined into the model's invoke function,
    whose registers the code around the call holds) where the constants common to them all fold in as
    immediates; those that differ (and the element count, as a count of four-element passes where every
    count is a multiple of 4) come from a small int32 array of each layer's own. A model with one such
    layer gets a function with every constant folded in."""
    layer = _layer(node, m.g, p)
    if layer is None:
        return False
    n, (first, second), key, values = layer
    m.use_kernel("dot_s8.h")
    m.use_kernel("elementwise.h")
    m.use_kernel("addsub_s8_fast.h")
    state = _groups(m)
    members = state["groups"].get(key) or [[*values, n]]
    varying = [i for i in range(len(values) + 1) if any(v[i] != members[0][i] for v in members)]
    if key not in state["functions"]:
        fn = m.namer(f"{node.name}_addsub")
        fields = [f"v[{varying.index(i)}]" if i in varying else str(int(x)) for i, x in enumerate(values)]
        count = len(values)
        n_expr = (f"{'4 * ' if key[2] else ''}v[{varying.index(count)}]" if count in varying else str(n))
        m.local(f"#ifdef __GNUC__\n__attribute__((noinline))\n#endif\n"
                f"static void {fn}(const int8_t *a, const int8_t *b, int8_t *out, const int32_t *v) {{\n"
                f"    const tinycc_addsub_fast_params p = {{{', '.join(fields)}}};\n"
                + ("    (void)v;\n" if not varying else "")
                + f"    tinycc_addsub_s8_fast({n_expr}, a, b, out, &p);\n}}")
        state["functions"][key] = fn
    fn = state["functions"][key]
    own = "NULL"
    if varying:
        own = m.namer(f"{node.name}_addv")
        mine = [*values, n // 4 if key[2] else n]
        m.local(f"static const int32_t {own}[{len(varying)}] = {{{', '.join(str(int(mine[i])) for i in varying)}}};")
    m.emit(f"{fn}({m.ptr(first, const=True)}, {m.ptr(second, const=True)}, {m.ptr(node.outputs[0])}, {own});")
    return True
