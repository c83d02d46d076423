"""The `tvm` runtime: Apache TVM's Relax virtual machine on the host CPU (LLVM).

The graph is lowered with the microtvm backend's Relax builder (one Relax op per core op, NHWC)
and TVM's default host pipeline, so it checks TVM's own operator semantics and fusion, not
tinycc's kernels. Float32 graphs only: int8 graphs run through `microtvm` instead.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.hookspec import hookimpl


class TVMRuntime:
    name = "tvm"
    description = "Apache TVM Relax VM on the host (LLVM), float32 models"

    def available(self):
        try:
            from tvm import relax  # noqa: F401
        except ImportError as exc:
            return f"apache-tvm is not importable ({exc}); pip install 'tinycc-ml[tvm]'"
        return None

    def supports(self, g):
        if any(t.dtype != "float32" for t in g.tensors.values() if not t.is_const):
            return "the tvm runtime runs float32 models; run int8 models with microtvm"
        return None

    def run(self, g, inputs):
        return self.run_many(g, [inputs])[0]

    def run_many(self, g, samples):
        import tvm
        from tvm import relax

        from tinycc.backends.microtvm.relax_builder import to_relax
        exe = relax.build(to_relax(g), target="llvm")
        vm = relax.VirtualMachine(exe, tvm.cpu())
        results = []
        for xs in samples:
            out = vm["main"](*[tvm.runtime.tensor(np.ascontiguousarray(x)) for x in xs])
            outs = list(out) if len(g.outputs) > 1 else [out]
            results.append([o.numpy() for o in outs])
        return results


@hookimpl
def tinycc_runtimes():
    return [TVMRuntime()]
