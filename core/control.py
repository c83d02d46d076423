"""Multi-subgraph models: subgraph calls (IF, WHILE, CALL_ONCE) and resource variables (VAR_HANDLE,
READ_VARIABLE, ASSIGN_VARIABLE), as TF Lite Micro runs them.

A resource variable is named by its VAR_HANDLE's (container, shared_name), model-wide: every subgraph
naming the same pair reaches the same variable. tinycc resolves each READ_VARIABLE / ASSIGN_VARIABLE
to its variable when compiling (its handle must come from a VAR_HANDLE of the same subgraph), so the
generated code holds every variable at a fixed place of the persistent state buffer. A variable's
dtype and shape are those of the values assigned to it (all assignments agree, as TF Lite Micro's
allocation by the first assignment requires). TF Lite Micro's reset zeroes every variable and does not
run CALL_ONCE's subgraph again: the `once` flags outlive a reset.

core/interpreter.py `Runtime` is what the reference interpreter hands these operators: the
variables, the CALL_ONCE flags, and `call(index, inputs)` running a subgraph.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinycc.core import ops
from tinycc.core.errors import TinyccError, Unsupported
from tinycc.core.graph import Graph, Node, Tensor, np_dtype

Key = tuple[str, str]          # (container, shared_name)


@dataclass(frozen=True)
class Variable:
    key: Key
    dtype: str
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np_dtype(self.dtype).itemsize

    @property
    def label(self) -> str:
        return "/".join(k for k in self.key if k) or "(unnamed)"


def graphs(g: Graph) -> list[Graph]:
    """Every subgraph of g's model (g itself when it has none), main graph first."""
    return [g, *g.subgraphs[1:]] if g.subgraphs else [g]


def subgraph(node: Node, g: Graph, attr: str) -> Graph:
    """The subgraph a node's attribute names (validated: 1 <= index < number of subgraphs)."""
    index = node.attrs[attr]
    if not g.subgraphs or not isinstance(index, (int, np.integer)) or not 0 < index < len(g.subgraphs):
        count = len(g.subgraphs) or 1
        raise TinyccError(f"{attr} names subgraph {index!r}, but the model has subgraphs 0..{count - 1}"
                          + (" (0, the main graph, cannot be called)" if index == 0 else ""),
                          node=node.name, op=node.op, file=g.source, hint="the file is corrupted")
    return g.subgraphs[int(index)]


def handle_key(node: Node, g: Graph) -> Key:
    """The variable a READ_VARIABLE / ASSIGN_VARIABLE reaches (its handle, input 0: `resolve`)."""
    return resolve(g, node.input(0), node)


def resolve(g: Graph, handle: str, node: Node, depth: int = 0) -> Key:
    """The variable a resource handle of subgraph g names: its VAR_HANDLE's (container, shared_name),
    through subgraph inputs to what every caller passes there (IF, WHILE: each op module's
    `call_inputs(node)`); refused when callers pass different variables (tinycc places every variable
    at compile time)."""
    def refuse(why: str) -> Unsupported:
        return Unsupported(f"its resource handle {handle!r} {why}", node=node.name, op=node.op, file=g.source,
                           hint="tinycc places every variable at compile time: a handle must name one variable")

    producer = next((n for n in g.nodes if handle in n.outputs), None)
    if producer is not None and ops.trait(producer.op, "resource_role") == "handle":
        return (str(producer.attrs["container"]), str(producer.attrs["shared_name"]))
    if producer is not None or handle not in g.inputs or not g.subgraphs or depth > len(g.subgraphs):
        raise refuse("does not come from a VAR_HANDLE")
    index = next(k for k, sg in enumerate(g.subgraphs) if sg is g)
    position = g.inputs.index(handle)
    keys = set()
    for caller in g.subgraphs:
        for n in caller.nodes:
            if any(n.attrs.get(a) == index for a in ops.trait(n.op, "subgraph_attrs")):
                passed = ops.require(n.op).call_inputs(n)
                if position >= len(passed) or passed[position] is None:
                    raise refuse(f"is subgraph input #{position}, which {n.name!r} does not pass")
                keys.add(resolve(caller, passed[position], node, depth + 1))
    if len(keys) != 1:
        raise refuse("is passed no variable" if not keys else "is passed different variables by its callers")
    return keys.pop()


def variables(g: Graph) -> dict[Key, Variable]:
    """The model's resource variables (by key, in first-assignment order), each checked: assigned
    somewhere, with one dtype and shape for every assignment and read."""
    found: dict[Key, Variable] = {}
    reads: list[tuple[Node, Graph, Key, Tensor]] = []
    for sg in graphs(g):
        for node in sg.nodes:
            role = ops.trait(node.op, "resource_role")
            if role == "assign":
                key, value = handle_key(node, sg), sg.tensors[node.input(1)]
                var = Variable(key, value.dtype, tuple(value.shape))
                old = found.setdefault(key, var)
                if old != var:
                    raise TinyccError(f"assigns a {var.dtype} {list(var.shape)} value to variable {var.label!r}, "
                                      f"which another assignment makes {old.dtype} {list(old.shape)}",
                                      node=node.name, op=node.op, file=sg.source,
                                      hint="TF Lite Micro allocates a variable once, by its first assignment")
            elif role == "read":
                reads.append((node, sg, handle_key(node, sg), sg.tensors[node.outputs[0]]))
    for node, sg, key, out in reads:
        read = found.get(key)
        if read is None:
            raise TinyccError(f"reads variable {'/'.join(k for k in key if k)!r}, which nothing assigns",
                              node=node.name, op=node.op, file=sg.source,
                              hint="TF Lite Micro refuses it too (the variable is never allocated)")
        if (out.dtype, tuple(out.shape)) != (read.dtype, read.shape):
            raise TinyccError(f"reads variable {read.label!r} ({read.dtype} {list(read.shape)}) into "
                              f"{out.name!r} ({out.dtype} {list(out.shape)})", node=node.name, op=node.op,
                              file=sg.source)
    return found


def check_calls(subgraphs: list[Graph], source: str = "") -> list[int]:
    """The subgraph indices in an order where every subgraph comes after those it calls (validate
    them in it); a call of subgraph 0, a missing subgraph or a cycle (TF Lite Micro would recurse
    without end) is refused."""
    calls: dict[int, list[int]] = {}
    for k, sg in enumerate(subgraphs):
        targets = []
        for node in sg.nodes:
            for attr in ops.trait(node.op, "subgraph_attrs"):
                index = node.attrs.get(attr)
                if not isinstance(index, (int, np.integer)) or not 0 < index < len(subgraphs):
                    raise TinyccError(f"{attr} names subgraph {index!r}, but the model has subgraphs "
                                      f"0..{len(subgraphs) - 1}" + (" (0, the main graph, cannot be called)"
                                                                    if index == 0 else ""),
                                      node=node.name, op=node.op, file=source, hint="the file is corrupted")
                targets.append(int(index))
        calls[k] = targets
    order: list[int] = []
    state: dict[int, int] = {}          # 1: on the path, 2: done

    def visit(k: int, path: list[int]) -> None:
        if state.get(k) == 2:
            return
        if state.get(k) == 1:
            cycle = " -> ".join(map(str, [*path[path.index(k):], k]))
            raise TinyccError(f"the subgraphs call each other in a cycle ({cycle})", file=source,
                              hint="TF Lite Micro would recurse without end; the file is corrupted")
        state[k] = 1
        for t in calls[k]:
            visit(t, [*path, k])
        state[k] = 2
        order.append(k)

    for k in range(len(subgraphs)):           # iterative depth is bounded by the subgraph count
        visit(k, [])
    return order


def check_signature(node: Node, g: Graph, sg: Graph, ins: list[str | None], outs: list[str] | None,
                    what: str) -> None:
    """A called subgraph's inputs and outputs (outs None: not checked) equal these tensors of the caller in
    number, dtype and shape (tinycc's buffers are static: TF Lite Micro resizes, tinycc refuses)."""
    def describe(names: list[str | None] | list[str], graph: Graph) -> list[tuple[str, tuple[int, ...]] | None]:
        return [(graph.tensors[n].dtype, tuple(graph.tensors[n].shape)) if n is not None else None for n in names]

    for side, mine, theirs in (("inputs", describe(ins, g), describe(sg.inputs, sg)),
                               ("outputs", describe(outs, g) if outs is not None else None,
                                describe(sg.outputs, sg) if outs is not None else None)):
        if mine != theirs:
            raise TinyccError(f"its {what} subgraph's {side} {theirs} differ from the operator's {mine}",
                              node=node.name, op=node.op, file=g.source,
                              hint="subgraph inputs and outputs must have the caller's dtypes and static shapes")

