"""Import-time constant folding for the ONNX importer: the shape arithmetic exporters emit.

PyTorch's exporter computes shapes at run time (Shape -> Gather -> Unsqueeze -> Concat ->
Reshape, ConstantOfShape for an LSTM's zero state, Range, Where on shape tensors ...). tinycc's
shapes are static, so that subgraph is constant: `constant_nodes` finds it before conversion
(initializers, Constant outputs and every Shape/Size output are constants; a node of FOLDABLE
whose inputs are all constants is one too) and `fold` evaluates one such node with onnx's own
reference implementation (`onnx.reference.ReferenceEvaluator`) on a one-node model whose
inputs are the constants. Nothing else of the file runs: only operators of FOLDABLE (no
subgraphs, no randomness), and only once onnx's shape inference has bounded every output to
MAX_TENSOR_BYTES, so a hostile ConstantOfShape/Expand/Tile/Range cannot allocate without limit.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from tinycc.core.validate import MAX_TENSOR_BYTES

# operators folded when all their inputs are constants (standard domain; pure functions of their inputs)
FOLDABLE = frozenset({
    "Abs", "Add", "And", "ArgMax", "ArgMin", "Cast", "CastLike", "Ceil", "Clip", "Concat", "ConstantOfShape",
    "Div", "Equal", "Expand", "Flatten", "Floor", "Gather", "GatherElements", "GatherND", "Greater",
    "GreaterOrEqual", "Identity", "Less", "LessOrEqual", "Max", "Min", "Mod", "Mul", "Neg", "Not", "Or", "Pow",
    "Range", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSum", "Reshape", "Shape", "Sign", "Size", "Slice",
    "Split", "Sqrt", "Squeeze", "Sub", "Tile", "Transpose", "Unsqueeze", "Where", "Xor"})
NUMPY_TYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                         "float32", "float64"})     # folded values tinycc keeps (no float16/float8/int4 ...)
SHAPE_OF = frozenset({"Shape", "Size"})       # constant whatever their input: tinycc's shapes are static


def constant_nodes(graph, initializers) -> set[int]:
    """Indices of the nodes of `graph` whose outputs are constants at import time (in order)."""
    known = set(initializers)
    found = set()
    for k, node in enumerate(graph.node):
        if node.domain not in ("", "ai.onnx"):
            continue
        ins = [n for n in node.input if n]
        if node.op_type == "Constant" or node.op_type in SHAPE_OF or (
                node.op_type in FOLDABLE and ins and all(n in known for n in ins)):
            found.add(k)
            known.update(o for o in node.output if o)
    return found


def _bound(ctx, node, model) -> None:
    """onnx's shape inference on the one-node model: every output's shape known and within
    MAX_TENSOR_BYTES, before anything is evaluated."""
    import onnx
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except Exception as exc:           # onnx raises several kinds on inconsistent inputs
        raise ctx.fail(node, f"cannot fold the constant inputs: {exc}".splitlines()[0][:400],
                       hint="the file is probably corrupted") from None
    for vi in inferred.graph.output:
        tt = vi.type.tensor_type
        known = tt.HasField("shape") and all(d.HasField("dim_value") and d.dim_value >= 0 for d in tt.shape.dim)
        dims = [int(d.dim_value) for d in tt.shape.dim]
        if not known:
            raise ctx.fail(node, f"the size of output {vi.name!r} of a constant node cannot be bounded before "
                                 "folding it", hint="export with constant folding (do_constant_folding=True)")
        count = math.prod(dims)
        if count * 8 > MAX_TENSOR_BYTES:
            raise ctx.fail(node, f"folding it would make output {vi.name!r} of shape {tuple(dims)} "
                                 f"({count:,} elements; the limit is {MAX_TENSOR_BYTES // 8:,})",
                           hint="a microcontroller model needs far less; the file is probably corrupted")


def fold(ctx, node) -> None:
    """Evaluate `node` (its inputs all in ctx.const) and store its outputs in ctx.const."""
    import onnx
    from onnx import helper
    from onnx.reference import ReferenceEvaluator
    names = [ctx.name(n) if n else "" for n in node.input]
    inits, seen = [], set()
    for n in names:
        if n and n not in seen:
            seen.add(n)
            inits.append(ctx.nph.from_array(np.asarray(ctx.const[n]), n))
    outs = [o for o in node.output if o]
    copy = helper.make_node(node.op_type, names, list(node.output), domain=node.domain)
    copy.attribute.extend(node.attribute)
    graph = helper.make_graph([copy], "fold", [], [helper.make_tensor_value_info(o, 0, None) for o in outs], inits)
    model = helper.make_model(graph, opset_imports=ctx.opset_import)
    model.ir_version = onnx.IR_VERSION
    _bound(ctx, node, model)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):   # numpy's casts of inf/nan warn
            warnings.simplefilter("ignore")
            values = ReferenceEvaluator(model).run(None, {})
    except Exception as exc:           # the reference implementation's own refusal of bad inputs
        raise ctx.fail(node, f"cannot fold the constant inputs ({type(exc).__name__}: {exc})".splitlines()[0][:400],
                       hint="the file is probably corrupted") from None
    for o, value in zip(outs, values):
        value = np.asarray(value)
        if value.dtype.name not in NUMPY_TYPES:
            raise ctx.fail(node, f"folded output {o!r} has the unsupported data type {value.dtype}")
        ctx.const[o] = value
