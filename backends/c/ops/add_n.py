"""C emitter for add_n: tinycc_add_n_f32 (kernels/add_n.h) over a local array of the inputs."""
from __future__ import annotations

from tinycc.backends.c.emitter import CTYPES, SUFFIX


def emit(node, m, p):
    m.use_kernel("add_n.h")
    ctype = CTYPES[p["dtype"]]
    ptrs = ", ".join(m.ptr(n, const=True) for n in node.inputs)
    n = m.g.tensors[node.outputs[0]].size
    m.emit(f"{{ const {ctype} *const ins[{len(node.inputs)}] = {{{ptrs}}}; "
           f"tinycc_add_n_{SUFFIX[p['dtype']]}({n}, {len(node.inputs)}, ins, {m.ptr(node.outputs[0])}); }}")
