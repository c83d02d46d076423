"""The microtvm backend's twins of the c emitters for int8 models: TVM-generated kernels for the
operators whose module in ops/ has `te_int8` (the MAC-heavy ones); everything else falls back
to the c backend's kernels, as a vendor backend does. The driver: it builds, names, caches and
calls each kernel; the tensor expressions live with their operators."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import names
from tinycc.backends.microtvm import dsp, micro_kernels, ops
from tinycc.backends.microtvm.lower import lower_kernel
from tinycc.core import ops as core_ops
from tinycc.core import progress


class TVMKernel:
    """An emitter: builds the node's kernel with TVM and calls it."""

    def __init__(self, name: str, opts: dict | None = None):
        self.name = name
        self.opts = opts
        self.cache: dict[str, str] = {}

    def emit(self, node, m, p):
        if (self.opts or {}).get("dsp", "1") == "1" and (self.opts or {}).get("schedule", "mcu") == "mcu":
            operands = dsp.conv_operands(node, m.g, p)
            if operands is not None:
                return self.emit_dsp(node, m, p, *operands)
        g = m.g
        func = ops.int8_twin(node.op).te_int8(node, g, p)
        text = func.script()
        symbol = self.cache.get(text)
        if symbol is None:
            symbol = f"tvmgen_{self.name}_{names.identifier(node.op, 'op')}_{len(self.cache)}"
            with progress.phase(f"building a TVM {node.op} kernel"):
                m.add_kernel_source(lower_kernel(func, symbol, self.opts))
            self.cache[text] = symbol
        co = g.tensors[node.outputs[0]].shape[-1]
        # per-tensor fully-connected kernels read element 0 only; convolutions read one per channel
        n = 1 if core_ops.trait(node.op, "weight_quant_axis") is None and len(p["multiplier"]) == 1 else co
        mult = np.broadcast_to(np.asarray(p["multiplier"], dtype=np.int32), (n,)).copy()
        shift = np.broadcast_to(np.asarray(p["shift"], dtype=np.int32), (n,)).copy()
        bias_name = node.inputs[2] if len(node.inputs) > 2 else None
        bias = m.ptr(bias_name, const=True) if bias_name else m.const_array(np.zeros(co, np.int32), "zero_bias")
        args = [m.ptr(node.inputs[0], const=True), m.ptr(node.inputs[1], const=True), bias,
                m.const_array(mult, "mult"), m.const_array(shift, "shift"), m.ptr(node.outputs[0])]
        m.emit(f"{symbol}({', '.join(f'(void *){a}' for a in args)});")


    def emit_dsp(self, node, m, p, shape, packed, bias):
        """The DSP schedule's kernel (dsp.py): pre-packed weights, the input offset folded into the bias."""
        func = dsp.conv_te(shape, p)
        key = "dsp\n" + func.script()
        symbol = self.cache.get(key)
        if symbol is None:
            symbol = f"tvmgen_{self.name}_{names.identifier(node.op, 'op')}_{len(self.cache)}"
            with progress.phase(f"building a TVM {node.op} kernel (DSP schedule)"):
                scheduled, sources = dsp.schedule_conv(func, shape)
                m.add_kernel_source(micro_kernels.PRELUDE)
                for source in sources:
                    m.add_kernel_source(source)
                m.add_kernel_source(lower_kernel(scheduled, symbol, {**(self.opts or {}), "schedule": "none"}))
            self.cache[key] = symbol
        co = shape["co"]
        mult = np.broadcast_to(shape["mult"], (co,)).copy()       # as the epilogue helper takes them
        shift = np.broadcast_to(shape["shift"], (co,)).copy()
        args = [m.ptr(node.inputs[0], const=True), m.const_array(packed, "w_packed", f"{node.name} weights for TVM"),
                m.const_array(bias, "bias_folded", f"{node.name} bias - input zero point * weight sums"),
                m.const_array(mult, "mult"), m.const_array(shift, "shift"), m.ptr(node.outputs[0])]
        m.emit(f"{symbol}({', '.join(f'(void *){a}' for a in args)});")


def twins_for(name: str, opts: dict | None = None):
    kernel = TVMKernel(name, opts)

    def twins(node, g):
        x = g.tensors[node.inputs[0]]
        if ops.int8_twin(node.op) is not None and x.dtype == "int8" and g.tensors[node.outputs[0]].dtype == "int8":
            return kernel
        return None
    return twins
