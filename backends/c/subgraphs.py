"""Multi-subgraph models in C: each called subgraph (IF's branches, WHILE's cond and body, CALL_ONCE's
init) becomes one static function `static int NAME_subgraph_K(void)`, made the first time an emitter
asks for it (`function`). Every subgraph is planned on its own (core/passes/memory.py, the c backend's
in-place pairs, schedule and concat slices), its inputs and outputs in its arena (the caller copies
the operands in and the results out), and gets a region of the one static arena (`regions`): after
the regions of every graph that can be running when it runs (its callers, theirs, up to the main
graph's), while subgraphs never running at the same time share bytes: IF's two branches, WHILE's
cond and body (the cond's bool is read before the body's inputs are copied in), two IFs' branches.
Resource variables live in the persistent state buffer (`resource`)."""
from __future__ import annotations

from typing import Any

from tinycc.backends.c import names
from tinycc.backends.c.emitter import CTYPES, CModule
from tinycc.core import control, ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.planner import MemoryPlan, align

PLAN_OPTIONS: dict[str, Any] = {"inplace": True, "schedule": True, "concat_alias": True}   # CBackend's


class _Subgraph(CModule):
    """A CModule for one called subgraph: the program's shared tables, its own plan, body and arena region."""
    base = 0

    def ptr(self, name: str | None, const: bool = False) -> str:
        if name is None:
            return "NULL"
        t = self.g.tensors[name]
        if t.data is not None:
            return super().ptr(name, const)
        cq = "const " if const else ""
        return f"(({cq}{CTYPES[t.dtype]} *)(arena.bytes + {self.base + self.plan.offsets[name]}))"


def function(m: CModule, index: int) -> tuple[str, CModule]:
    """The C function running subgraph `index` of m's model (made on first use), and its module (whose
    `ptr` gives the subgraph's input and output tensors)."""
    made = m.program["functions"]
    if index in made:
        return made[index]
    from tinycc.backends.c import ops as c_ops
    from tinycc.backends.c.ops import _inplace, lut
    if "regions" not in m.program:             # first call: from the main graph, which calls them all
        m.program["regions"] = regions(m.g, m.plan.arena_bytes)
        ends = [base + plan.arena_bytes for base, plan in m.program["regions"].values()]
        m.program["end"] = max([m.plan.arena_bytes, *ends])
    sg = m.g.subgraphs[index]
    sub = _Subgraph.__new__(_Subgraph)
    sub.__dict__.update(m.__dict__)
    sub.base, plan = m.program["regions"][index]
    sub.g, sub.plan, sub.body, sub._tensor_symbol = sg, plan, [], {}
    symbol = m.namer(f"{m.prefix}_subgraph_{index}")
    made[index] = (symbol, sub)
    for i, node in enumerate(sg.nodes):
        params = ops.require(node.op).prepare(node, sg)
        sub.emit(f"/* {index}.{i}: {node.op} \"{names.comment(node.name, 80)}\" */")
        sub.emit("TINYCC_LAYER_MARK();")
        emitter = _inplace if _inplace.applies(node, plan) else lut if lut.applies(node, sg) else c_ops.get(node.op)
        if emitter is None:
            raise TinyccError("the c backend has no kernel for this operator", node=node.name, op=node.op,
                              file=sg.source, hint=f"in subgraph {index}")
        emitter.emit(node, sub, params)
    m.needs_math |= sub.needs_math
    m.needs_string |= sub.needs_string
    body = "\n".join(f"    {line}" for line in sub.body)
    m.program["text"].append(f"/* subgraph {index} \"{names.comment(sg.name, 80)}\": arena bytes "
                             f"[{sub.base}, {sub.base + plan.arena_bytes}) */\n"
                             f"static int {symbol}(void) {{\n{body}\n    return 0;\n}}")
    return symbol, sub


def regions(g: Graph, main_bytes: int) -> dict[int, tuple[int, MemoryPlan]]:
    """Subgraph index -> (the start of its arena region, its plan) for every subgraph the main graph g
    (whose region is the first `main_bytes`) reaches. A subgraph's region starts after the end of each
    caller's region (callers placed first: the call graph is acyclic, core/control.check_calls), so it
    is above every graph that can be running with it; graphs on no common call path overlap."""
    from tinycc.core.passes import memory
    subs = g.subgraphs

    def callees(graph: Graph) -> list[int]:
        return [int(node.attrs[a]) for node in graph.nodes for a in ops.trait(node.op, "subgraph_attrs")]

    calls = {0: callees(g)}
    todo = list(calls[0])
    while todo:
        k = todo.pop()
        if k not in calls:
            calls[k] = callees(subs[k])
            todo += calls[k]
    plans = {k: memory.plan(subs[k], True, None, **PLAN_OPTIONS) for k in calls if k}  # I/O in its region
    callers: dict[int, list[int]] = {k: [] for k in calls}
    for k, targets in calls.items():
        for t in targets:
            callers[t].append(k)
    ends, placed = {0: main_bytes}, {}
    for k in reversed(control.check_calls(subs, g.source)):       # callers before callees
        if k in plans:
            base = align(max(ends[c] for c in callers[k]))
            placed[k], ends[k] = (base, plans[k]), base + plans[k].arena_bytes
    return placed


def copy(m: CModule, dst: str, src: str, nbytes: int) -> None:
    """memmove (a subgraph's output may be its own input: the same bytes)."""
    m.needs_string = True
    m.emit(f"memmove({dst}, {src}, {nbytes});")


def move(m: CModule, dst_module: CModule, dst_names, src_module: CModule, src_names) -> None:
    """Copy tensors between a caller and a subgraph (resource handles carry nothing: skipped)."""
    for d, s in zip(dst_names, src_names):
        if d is None or s is None or dst_module.g.tensors[d].dtype == "resource":
            continue
        copy(m, dst_module.ptr(d), src_module.ptr(s, const=True), dst_module.g.tensors[d].nbytes)


def resource(m: CModule, key) -> str:
    """The address of a resource variable in the persistent state buffer."""
    return f"(tinycc_state.bytes + {m.program['resources'][key]})"
