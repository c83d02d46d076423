"""Building an ONNX operator out of several core ops (Elu with alpha, HardSigmoid, Erf, Pow, ...):
fresh constants and intermediate tensors that the elementwise rules (layouts, broadcasting) treat
like the model's own, so a composition works on NCHW- and NHWC-held activations alike."""
from __future__ import annotations

import numpy as np

from tinycc.core import ops
from tinycc.plugins.importers.onnx_ops import _elementwise


class Composer:
    """Emits the core ops of one ONNX node: `out` names the last one's output (the node's)."""

    def __init__(self, ctx, node, name):
        self.ctx, self.node, self.name = ctx, node, name
        self.count = 0

    def const(self, value, base="c") -> str:
        """A float32 constant, broadcast against activations as an initializer would be."""
        n = self.ctx.fresh(f"{self.name}/{base}")
        self.ctx.const[n] = np.asarray(value, dtype=np.float32)
        return n

    def __call__(self, core_op: str, *names: str, out: str | None = None, attrs=None) -> str:
        """`core_op` over operands `names` (ONNX names, constants from const(), or earlier results)."""
        self.count += 1
        node_name = f"{self.name}:{core_op}{self.count}"
        out = out or self.ctx.fresh(f"{self.name}/{core_op}{self.count}")
        if len(names) == 1:
            x = self.ctx.value(self.node, names[0])
            return self.ctx.emit(node_name, core_op, [x], out, attrs, nchw=x in self.ctx.nchw,
                                 dtype=_elementwise.output_dtype(ops.require(core_op), [self.ctx.tensors[x].dtype]))
        return _elementwise.nary(self.ctx, self.node, out, node_name, ops.require(core_op), list(names))
