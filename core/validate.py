"""Validation and shape inference of a core graph.

Checks that every node names a known op, that its tensors exist and are defined before use
(topological order), fills attribute defaults, infers output shapes and checks them against
the declared ones, and runs each op's `prepare` so unsupported dtypes fail here, naming the
node, rather than in a backend.
"""
from __future__ import annotations

from types import ModuleType

import numpy as np

from tinycc.core import int4, ops
from tinycc.core.errors import TinyccError, Unsupported
from tinycc.core.graph import DTYPES, Graph, Node, np_dtype
from tinycc.core.ops.common import ACTIVATIONS

MAX_TENSOR_ELEMENTS = 1 << 31
MAX_TENSOR_BYTES = 1 << 30        # per tensor, and all tensors of a model together: refused before allocating
MAX_RANK = 8
MAX_NODES = 10_000                # operators: microcontroller models have hundreds; the planner is quadratic
QUANT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "int32": (-(1 << 31), (1 << 31) - 1)}
SIZE_HINT = "a microcontroller model needs far less; the file is probably corrupted"


def _check_shape(g: Graph, name: str, shape: tuple[int, ...], **where: str) -> None:
    """A shape tinycc can hold: a few non-negative dimensions, at most MAX_TENSOR_BYTES."""
    t = g.tensors[name]
    if len(shape) > MAX_RANK or any((not isinstance(d, int)) or d < 0 for d in shape):
        raise TinyccError(f"tensor {name!r} has an invalid shape {tuple(shape)}", file=g.source, **where,
                          hint="dynamic dimensions must be fixed before compiling (e.g. batch = 1)"
                          if len(shape) <= MAX_RANK else f"at most {MAX_RANK} dimensions are supported")
    size = 1
    for d in shape:
        size *= d
    nbytes = size * np_dtype(t.dtype).itemsize
    if size > MAX_TENSOR_ELEMENTS or nbytes > MAX_TENSOR_BYTES:
        raise TinyccError(f"tensor {name!r} of shape {tuple(shape)} is absurdly large ({nbytes:,} bytes, "
                          f"the limit is {MAX_TENSOR_BYTES:,})", file=g.source, hint=SIZE_HINT, **where)


def _check_quant(g: Graph, name: str) -> None:
    """Scales finite (and positive on integer tensors), zero points in the type's range, one per scale."""
    t = g.tensors[name]
    q = t.quant
    assert q is not None, "_check_quant is called for quantised tensors only"
    scale, zp = q.scale, q.zero_point
    integer = t.dtype in QUANT_RANGES
    if scale.size == 0 or not np.all(np.isfinite(scale)) or np.any(scale < 0) or (integer and np.any(scale == 0)):
        raise TinyccError(f"tensor {name!r} has invalid quantisation scales {scale[:8].tolist()}", file=g.source,
                          hint="scales must be finite and positive")
    if zp.size not in (1, scale.size):
        raise TinyccError(f"tensor {name!r} has {scale.size} quantisation scales but {zp.size} zero points",
                          file=g.source)
    lo, hi = QUANT_RANGES.get(t.dtype, (-(1 << 31), (1 << 31) - 1))
    if zp.size and (zp.min() < lo or zp.max() > hi):
        raise TinyccError(f"tensor {name!r} ({t.dtype}) has zero points outside [{lo}, {hi}]: "
                          f"{zp[:8].tolist()}", file=g.source)
    if q.per_channel:
        dims = len(t.shape)
        if not 0 <= q.axis < max(dims, 1) or t.shape[q.axis] != q.scale.size:
            raise TinyccError(f"tensor {name!r}: {q.scale.size} per-channel scales do not match "
                              f"axis {q.axis} of shape {t.shape}", file=g.source)


def _check_operands(g: Graph, node: Node, op: ModuleType) -> None:
    """What every op's prepare relies on: non-empty operands, a supported input dtype, and
    quantisation parameters on every int8/int16 tensor (not for an op on plain integers: the
    raw_integers trait, or a view whose int8/int16 tensors all lack them)."""
    plain = _plain_integers(g, node)
    for name in [*node.inputs, *node.outputs]:
        if name is None:
            continue
        t = g.tensors[name]
        if name in node.inputs and t.size == 0:
            raise TinyccError(f"input tensor {name!r} is empty (shape {t.shape})", node=node.name, op=node.op,
                              file=g.source)
        if t.dtype in ("int8", "int16") and t.quant is None and not plain:
            raise TinyccError(f"tensor {name!r} is {t.dtype} but has no quantisation parameters", node=node.name,
                              op=node.op, file=g.source, hint="quantised tensors need a scale and a zero point")
    x = g.tensors[node.inputs[0]] if node.inputs and node.inputs[0] is not None else None
    if x is not None and x.dtype not in op.DTYPES:
        raise Unsupported(f"input dtype {x.dtype} is not supported", node=node.name, op=node.op, file=g.source,
                          hint="supported: " + ", ".join(op.DTYPES))


BIAS_DTYPES = {"int8": "int32", "int16": "int64", "float32": "float32"}   # TFLM's kernels, by input dtype
MAX_WINDOW = 1 << 16              # strides, dilations, windows and pads


def _check_edges(g: Graph) -> None:
    """Model inputs and outputs: each listed once, an input is computed by nobody (not a constant,
    not also an output: TFLM would hand the caller's buffer to the graph as its result)."""
    for what, names in (("input", g.inputs), ("output", g.outputs)):
        for k, name in enumerate(names):
            if name not in g.tensors:
                raise TinyccError(f"graph {what} {name!r} is not a tensor of the model", file=g.source)
            if name in names[:k]:
                raise TinyccError(f"model {what} {name!r} is listed twice (as {what}s #{names.index(name)} and #{k})",
                                  file=g.source, hint=f"each tensor may be a model {what} once")
    for name in g.inputs:
        if g.tensors[name].is_const:
            raise TinyccError(f"model input {name!r} is a constant (its data is stored in the model)", file=g.source,
                              hint="an input is supplied by the caller: the file is corrupted")
        if name in g.outputs and not (g.subgraphs and g.subgraphs[0] is not g):   # (a called subgraph may)
            raise TinyccError(f"model input {name!r} is also a model output", file=g.source,
                              hint="an output must be computed by an operator")


def _check_window(g: Graph, node: Node) -> None:
    """Windowed operators: strides, dilations and windows in 1..MAX_WINDOW, pads in 0..MAX_WINDOW
    (far beyond any model, far below int32 overflow in a kernel's index arithmetic), and a fused
    activation the kernels know; from every importer alike."""
    a = node.attrs
    if ops.trait(node.op, "windowed"):
        for key, count, least in (("strides", 2, 1), ("dilations", 2, 1), ("kernel", 2, 1), ("pads", 4, 0)):
            if key not in a:
                continue
            values = a[key]
            ok = isinstance(values, (tuple, list)) and len(values) == count and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and least <= v <= MAX_WINDOW
                for v in values)
            if not ok:
                raise TinyccError(f"{key} {values!r} must be {count} integers in {least}..{MAX_WINDOW:,}",
                                  node=node.name, op=node.op, file=g.source, hint="the file is probably corrupted")
    if "activation" in a and a["activation"] not in ACTIVATIONS:
        raise TinyccError(f"fused activation {a['activation']!r} is not supported", node=node.name, op=node.op,
                          file=g.source, hint="supported: " + ", ".join(ACTIVATIONS))


def _check_bias(g: Graph, node: Node) -> None:
    """The bias of a convolution / fully connected layer in the dtype TFLM's kernel reads:
    int32 for int8 layers, int64 for 16x8 ones (TFLM's int32-bias 16x8 paths round differently), float32."""
    if not ops.trait(node.op, "weighted") or len(node.inputs) < 3 or node.inputs[2] is None or node.inputs[0] is None:
        return
    x, b = g.tensors[node.inputs[0]], g.tensors[node.inputs[2]]
    want = BIAS_DTYPES.get(x.dtype)
    if want is not None and b.dtype != want:
        raise TinyccError(f"bias {b.name!r} is {b.dtype}; a {node.op} on {x.dtype} input needs {want} biases",
                          node=node.name, op=node.op, file=g.source,
                          hint="int8 layers take int32 biases, 16x8 layers int64, "
                          "float layers float32 (as TF Lite Micro's kernels read them)")


def _signature(g: Graph, node: Node, op: ModuleType) -> TinyccError | None:
    """The node's dtypes against the op's SIGNATURES ("in, in -> out" per role; absent optional
    inputs match anything, a variadic role repeats): an error naming them all, or None."""
    sigs = getattr(op, "SIGNATURES", None)
    if not sigs:
        return None
    variadic = bool(op.INPUTS) and op.INPUTS[-1].endswith("*")
    ins = [None if n is None else g.tensors[n].dtype for n in node.inputs]
    outs = [g.tensors[n].dtype for n in node.outputs]
    for sig in sigs:
        want_in, want_out = ([d.strip() for d in side.split(",")] for side in sig.split("->"))
        if variadic:
            want_in = [*want_in, *[want_in[-1]] * max(0, len(ins) - len(want_in))]
        if want_out[-1].endswith("*"):          # variadic outputs (SPLIT, UNPACK): "int8 -> int8*"
            want_out = [*want_out[:-1], *[want_out[-1][:-1]] * max(1, len(outs) - len(want_out) + 1)]
        if (len(ins) <= len(want_in) and want_out == outs
                and all(d is None or d == w for d, w in zip(ins, want_in))):
            return None
    have = ", ".join(f"{n!r} {d}" for n, d in zip(node.inputs, ins) if n is not None)
    have += " -> " + ", ".join(f"{n!r} {d}" for n, d in zip(node.outputs, outs))
    return Unsupported(f"dtypes {have} are not a combination {node.op} supports", node=node.name, op=node.op,
                       file=g.source, hint="supported (" + ", ".join(r.rstrip("?*") for r in op.INPUTS)
                       + " -> output): " + "; ".join(sigs))


def _reason(g: Graph, node_name: str) -> str:
    """What the op's prepare says of this node (a hybrid model, ...), as ": reason", or ""."""
    node = next(n for n in g.nodes if n.name == node_name)
    try:
        ops.require(node.op).prepare(node, g)
    except TinyccError as err:
        return f": {err.message}" + (f" ({err.hint})" if err.hint else "")
    except Exception:       # noqa: BLE001 - the kernels never meet these dtypes: nothing more to say
        return ""
    return ""


def _check_unsupported(g: Graph) -> None:
    """Every operator tinycc lacks and every dtype combination an operator does not support, at
    once (with counts and the first node of each), when there is more than one such node; a single
    one gets its own detailed error from the per-node checks."""
    unknown: dict[str, list[str]] = {}
    combos: dict[tuple[str, str], list[str]] = {}
    for node in g.nodes:
        op = ops.get(node.op)
        if op is None:
            unknown.setdefault(node.op, []).append(node.name)
        elif all(n is None or n in g.tensors for n in [*node.inputs, *node.outputs]) and node.outputs and \
                _signature(g, node, op) is not None:
            have = ", ".join(g.tensors[n].dtype for n in node.inputs if n is not None) + " -> " + \
                ", ".join(g.tensors[n].dtype for n in node.outputs)
            combos.setdefault((node.op, have), []).append(node.name)
    if sum(map(len, unknown.values())) + sum(map(len, combos.values())) < 2:
        return
    problems, hints = [], []
    if unknown:
        problems.append(f"operator{'s' if len(unknown) > 1 else ''} not supported: " + ", ".join(
            f"{op} x{len(where)} (first: {where[0]!r})" for op, where in unknown.items()))
        hints.append("supported operators: " + ", ".join(ops.supported()))
    if combos:
        problems.append("dtypes not supported: " + ", ".join(
            f"{op} {have} x{len(where)} (first: {where[0]!r}{_reason(g, where[0])})"
            for (op, have), where in combos.items()))
        hints += [f"{op} supports " + "; ".join(ops.require(op).SIGNATURES)
                  for op in dict.fromkeys(o for o, _ in combos)]
    raise Unsupported("; ".join(problems), file=g.source, hint="\n  hint: ".join(hints))


def validate(g: Graph) -> Graph:
    """Validate `g` in place (filling defaults and inferred shapes) and return it."""
    if len(g.nodes) > MAX_NODES:
        raise TinyccError(f"the model has {len(g.nodes):,} operators (the limit is {MAX_NODES:,})", file=g.source,
                          hint=SIZE_HINT)
    _check_edges(g)
    defined = set(g.inputs) | {n for n, t in g.tensors.items() if t.is_const or t.variable}
    total = 0
    for name, t in g.tensors.items():
        if t.dtype not in DTYPES:
            raise TinyccError(f"tensor {name!r} has unsupported element type {t.dtype!r}", file=g.source,
                              hint="supported: " + ", ".join(DTYPES))
        _check_shape(g, name, t.shape)
        if t.quant is not None:
            _check_quant(g, name)
        total += t.nbytes
    if total > MAX_TENSOR_BYTES:
        raise TinyccError(f"the tensors take {total:,} bytes together (the limit is {MAX_TENSOR_BYTES:,})",
                          file=g.source, hint=SIZE_HINT)
    _check_unsupported(g)
    for name in g.inputs:
        if g.tensors[name].size == 0:
            raise TinyccError(f"model input {name!r} is empty (shape {g.tensors[name].shape})", file=g.source)
    for node in g.nodes:
        op = ops.get(node.op)
        if op is None:
            raise Unsupported(f"operator {node.op!r} is not supported", node=node.name, op=node.op,
                              file=g.source, hint="supported: " + ", ".join(ops.supported()))
        node.attrs = ops.attrs_with_defaults(op, node.attrs)
        required = sum(1 for r in op.INPUTS if not r.endswith("?"))
        variadic = bool(op.INPUTS) and op.INPUTS[-1].endswith("*")
        if len(node.inputs) < required or (len(node.inputs) > len(op.INPUTS) and not variadic):
            most = "" if variadic else len(op.INPUTS)
            raise TinyccError(f"expects {required}..{most} inputs, got {len(node.inputs)}",
                              node=node.name, op=node.op, file=g.source)
        for k, inp in enumerate(node.inputs):
            role = op.INPUTS[min(k, len(op.INPUTS) - 1)]
            if inp is None and not role.endswith("?"):
                raise TinyccError(f"its {role.rstrip('*')} input (#{k}) is missing", node=node.name, op=node.op,
                                  file=g.source)
        for inp in node.inputs:
            if inp is None:
                continue
            if inp not in g.tensors:
                raise TinyccError(f"input tensor {inp!r} does not exist", node=node.name, op=node.op, file=g.source)
            if inp not in defined:
                raise TinyccError(f"input tensor {inp!r} is used before it is computed (cycle or bad order)",
                                  node=node.name, op=node.op, file=g.source)
        if not node.outputs and not ops.trait(node.op, "ordered"):
            raise TinyccError("has no output", node=node.name, op=node.op, file=g.source)
        for k, name in enumerate(node.outputs):
            if name not in g.tensors:
                raise TinyccError(f"output tensor {name!r} does not exist", node=node.name, op=node.op, file=g.source)
            if name in defined or name in node.outputs[:k]:
                raise TinyccError(f"output tensor {name!r} is written twice (or is a constant/input)",
                                  node=node.name, op=node.op, file=g.source)
        _check_operands(g, node, op)
        _check_window(g, node)
        _check_bias(g, node)
        try:
            int4.check_weights(node, g)
            shapes = op.infer(node, g)
            if len(shapes) != len(node.outputs):
                raise TinyccError(f"has {len(node.outputs)} outputs, the operator computes {len(shapes)}",
                                  node=node.name, op=node.op)
            for name, shape in zip(node.outputs, shapes):
                t = g.tensors[name]
                shape = tuple(int(d) for d in shape)
                if t.shape and t.shape != shape:
                    raise TinyccError(f"output {name!r} is declared {t.shape} but the op computes {shape}",
                                      node=node.name, op=node.op)
                _check_shape(g, name, shape, node=node.name, op=node.op)
                if 0 in shape:
                    raise TinyccError(f"output {name!r} would be empty (shape {shape})", node=node.name, op=node.op)
                total += (int(np.prod(shape, dtype=np.int64)) - t.size) * np_dtype(t.dtype).itemsize
                if total > MAX_TENSOR_BYTES:
                    raise TinyccError(f"the tensors take {total:,} bytes together (the limit is "
                                      f"{MAX_TENSOR_BYTES:,})", node=node.name, op=node.op, hint=SIZE_HINT)
                t.shape = shape
            mismatch = _signature(g, node, op)
            if mismatch is not None:
                try:                    # prepare may know a more specific reason (a hybrid model, ...)
                    op.prepare(node, g)
                except TinyccError:
                    raise
                except Exception:       # noqa: BLE001 - the kernels never meet these dtypes: refused below
                    pass
                raise mismatch
            op.prepare(node, g)
        except TinyccError as err:
            err.with_node(node.name, node.op).with_file(g.source)
            raise
        defined.update(node.outputs)
    for name in g.outputs:
        if name not in defined:
            raise TinyccError(f"graph output {name!r} is never computed", file=g.source)
    return g


def _plain_integers(g: Graph, node: Node) -> bool:
    """Whether `node` reads its int8/int16 tensors as plain integers, without quantisation: an op
    with the raw_integers trait, or a view (RESHAPE of an audio frame) none of whose int8/int16
    tensors is quantised (same bytes in and out, nothing to rescale), or an op whose module's
    `plain_integers(node, g)` says this node reads them so (int16 ABS without quantisation)."""
    if ops.trait(node.op, "raw_integers"):
        return True
    hook = getattr(ops.get(node.op), "plain_integers", None)
    if hook is not None and hook(node, g):
        return True
    if not ops.trait(node.op, "view"):
        return False
    ints = [g.tensors[n] for n in [*node.inputs, *node.outputs] if n is not None
            and g.tensors[n].dtype in ("int8", "int16")]
    return bool(ints) and all(t.quant is None for t in ints)
