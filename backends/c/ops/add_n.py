"""C emitter for add_n: tinycc_add_n_f32 (kernels/add_n.h) or tinycc_add_n_s8 (kernels/add_n_s8.h) over
a local array of the inputs."""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES, SUFFIX


def emit(node, m, p):
    if p["dtype"] == "int8":
        m.use_kernel("add_n_s8.h")
        ptrs = ", ".join(m.ptr(n, const=True) for n in node.inputs)
        n = m.g.tensors[node.outputs[0]].size
        m.emit(f"{{ const int8_t *const ins[{len(node.inputs)}] = {{{ptrs}}}; "
               f"tinycc_add_n_s8({n}, {len(node.inputs)}, ins, {m.ptr(node.outputs[0])}, {p['input_offset']}, "
               f"{p['input_multiplier']}, {p['input_shift']}, {p['output_multiplier']}, {p['output_shift']}, "
               f"{p['output_zp']}); }}")
        return
    m.use_kernel("add_n.h")
    ctype = CTYPES[p["dtype"]]
    ptrs = ", ".join(m.ptr(n, const=True) for n in node.inputs)
    n = m.g.tensors[node.outputs[0]].size
    m.emit(f"{{ const {ctype} *const ins[{len(node.inputs)}] = {{{ptrs}}}; "
           f"tinycc_add_n_{SUFFIX[p['dtype']]}({n}, {len(node.inputs)}, ins, {m.ptr(node.outputs[0])}); }}")
