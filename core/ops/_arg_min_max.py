"""ARG_MAX / ARG_MIN (TFLM's arg_min_max.cc -> reference_ops::ArgMinMax): the index along `axis`
of the first largest (smallest) element. TFLM starts from element 0 and moves on only for a
strictly greater (smaller) element, so ties give the first index and a NaN is never chosen
unless it is element 0 (then index 0 stays, as no comparison with it holds). The input is compared
raw (int8 needs no quantisation for this); the output is int32 (TFLM's kernel refuses int64
outputs and non-int32 axes). Refused: an axis outside the input's dimensions, a 0-D input."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import common as c

INPUTS = ("input",)
ATTRS = {"axis": 0}
AXIS_ATTRS = {"axis": "axis"}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d} -> int32" for d in DTYPES)     # input dtype -> output dtype (TFLM's kernels)
OUTPUT_TYPES = {2: "int32", 4: "int64"}                 # TensorType of ArgMaxOptions.outputType


def resolved_axis(node, rank: int) -> int:
    axis = node.attrs["axis"]
    if rank == 0:
        raise c.fail(node, "a 0-D input has no axis to search")
    if not isinstance(axis, (int, np.integer)) or not -rank <= axis < rank:
        raise c.fail(node, f"axis {axis} is out of range for a {rank}-D input",
                     hint=f"the axis must lie in [{-rank}, {rank - 1}]")
    return int(axis) % rank


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    axis = resolved_axis(node, len(x.shape))
    return [tuple(d for k, d in enumerate(x.shape) if k != axis)]


def prepare(node, g):
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    if x.dtype not in DTYPES:
        raise c.fail(node, f"input dtype {x.dtype} is not supported", hint=f"supported: {', '.join(DTYPES)}")
    if out.dtype != "int32":
        raise c.fail(node, f"output {out.name!r} is {out.dtype}", hint="TF Lite Micro writes the indices as int32 only")
    axis = resolved_axis(node, len(x.shape))
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    return {"dtype": x.dtype, "axis": axis, "outer": outer, "size": int(x.shape[axis]), "inner": inner}


def run(node, g, inputs, p, largest: bool):
    x = inputs[0].reshape(p["outer"], p["size"], p["inner"])
    best = x[:, 0, :].copy()
    index = np.zeros(best.shape, dtype=np.int32)
    for i in range(1, p["size"]):
        v = x[:, i, :]
        better = v > best if largest else v < best      # False for any NaN, as std::greater / std::less
        best = np.where(better, v, best)
        index = np.where(better, np.int32(i), index)
    return [index.reshape(g.tensors[node.outputs[0]].shape)]


def read(ctx) -> dict:
    axis = ctx.const(1, "ARG_MAX / ARG_MIN axis").reshape(-1)
    if axis.dtype != np.int32 or axis.size != 1:
        raise ctx.fail(f"the axis operand must be one int32 value, got {axis.dtype} with {axis.size} values")
    out_type = int(getattr(ctx.o, "outputType", 2)) if ctx.o is not None else 2
    if OUTPUT_TYPES.get(out_type) != "int32":
        raise ctx.fail(f"output type {ctx.enum_name('TensorType', out_type)} is not supported",
                       hint="TF Lite Micro writes the indices as int32 only")
    return {"axis": int(axis[0])}


def write(ctx, node, inputs):
    opt = ctx.options()
    opt.outputType = 2
    return ctx.builtin, opt, inputs[:1] + [ctx.const_int32(node, "axis", [node.attrs["axis"]])]


def runner(largest: bool):
    """The reference of ARG_MAX (largest) or ARG_MIN."""
    def run_op(node, g, inputs, p):
        return run(node, g, inputs, p, largest=largest)
    return run_op
