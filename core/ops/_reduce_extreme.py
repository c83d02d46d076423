"""REDUCE_MAX / REDUCE_MIN's shared prepare and reference (TFLM's ReduceGeneric with a comparison)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _reduce
from tinycc.core.ops import common as c


def prepare(node, g, dtypes):
    dtype, axes, count = _reduce.check(node, g, dtypes)
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if dtype != "float32" and (x.quant.zp != out.quant.zp or np.float32(x.quant.s) != np.float32(out.quant.s)):
        raise c.fail(node, f"input and output quantisation differ ({x.name!r} scale {float(x.quant.s):.6g} zero "
                           f"point {int(x.quant.zp)}, {out.name!r} scale {float(out.quant.s):.6g} zero point "
                           f"{int(out.quant.zp)})",
                     hint=f"TF Lite Micro's {node.op.upper()} requires the output to keep the input's quantisation")
    return {"dtype": dtype, "axes": axes, "count": count}


def init_value(dtype: str, largest: bool):
    if dtype == "float32":
        f = np.finfo(np.float32)
        return np.float32(f.min if largest else f.max)
    lo, hi = c.INT_RANGES[dtype]
    return lo if largest else hi


def run(node, g, inputs, p, largest: bool):
    rows = _reduce.rows(inputs[0], p["axes"])
    init = init_value(p["dtype"], largest)
    if p["dtype"] == "float32":
        rows = np.where(np.isnan(rows), init, rows)      # a NaN never wins TFLM's comparison
    reduce = np.max if largest else np.min
    y = reduce(rows, axis=1, initial=init) if rows.shape[1] else np.full(rows.shape[0], init)
    y = np.maximum(y, init) if largest else np.minimum(y, init)
    return [np.asarray(y).astype(p["dtype"]).reshape(g.tensors[node.outputs[0]].shape)]


def declare(dtypes, largest: bool):
    """(prepare, run) of REDUCE_MAX (largest) or REDUCE_MIN over `dtypes`."""
    def prepare_op(node, g):
        return prepare(node, g, dtypes)

    def run_op(node, g, inputs, p):
        return run(node, g, inputs, p, largest=largest)
    return prepare_op, run_op
