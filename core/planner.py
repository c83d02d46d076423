"""Static memory plan: lifetimes and offsets of every activation in one arena.

Model inputs and outputs live in the caller's buffers (the `c` backend's interface passes
them in), so the arena holds intermediates only. View ops (reshape) alias their input's
buffer. The planner only places: what shares storage besides views is decided before it by the
memory passes (core/passes/memory.py), which record their decisions on the graph:
- in-place pairs (`g.inplace`, core/inplace.py, for backends whose kernels support it: `c`): an
  operator writes its output over an input that dies at it; both share one buffer of the larger
  size, plus the kernel's ring scratch; an "offset" pair (a backend kernel's own rule) puts the
  output `gap` bytes (rounded up to ALIGN) before its input in the shared buffer, which spans
  every member of the chain at its displacement;
- concat slices (`g.slices`, core/concat_alias.py, the `c` backend): a concatenation's inputs
  whose slot in the output is contiguous are placed inside the output's buffer at that slot: the
  output's buffer lives from the first producer on and the inputs take no bytes of their own
  (`MemoryPlan.slices`; the concat copies nothing for them).
The node order is a pass's too (core/passes/schedule.py): planning leaves g.nodes alone.
Placement is first-fit in a few orders (largest first, longest-lived first, first use, most
conflicting first); the smallest arena wins. The plan also reports the lower bound of its
buffers: the largest set of them alive at one operator (with in-place pairs and concat slices,
the bound of those merged buffers: still a true lower bound of any placement of the plan's
buffers, so bound <= arena always holds).
Speed-only scratch (an operator with the `speed_scratch` trait: its `scratch_bytes` is a fast
kernel's, a plain kernel needs none) never raises the arena's peak: the plan places it all, and
while the arena exceeds the arena without any of it, drops it node by node (nodes where the live
bytes peak first) and places again (`fit_speed_scratch`). `MemoryPlan.dropped_scratch` names the
nodes whose emitters must take the plain kernel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from tinycc.core import ops
from tinycc.core.graph import Graph, Node

if TYPE_CHECKING:
    from tinycc.core.concat_alias import Slice
    from tinycc.core.inplace import InPlace

ALIGN = 16
SPEED_SCRATCH = "fit"      # "fit": drop speed-only scratch that raises the peak; "keep": keep it all (the
#                            policy when a plan is not given one: a user's `speed_scratch` compile option)


def align(n: int, a: int = ALIGN) -> int:
    return (n + a - 1) // a * a


@dataclass
class Buffer:
    name: str                 # the first tensor of the buffer (others alias it)
    size: int
    first: int                # node index of definition
    last: int                 # node index of last use
    offset: int = -1


@dataclass
class MemoryPlan:
    arena_bytes: int
    bound_bytes: int
    offsets: dict[str, int]            # arena tensors (and scratch, keys in `scratch`) -> offset
    external: set[str]                 # tensors held in caller buffers (model inputs/outputs)
    aliases: dict[str, str]            # tensor -> tensor whose storage it shares
    buffers: list[Buffer] = field(default_factory=list)
    strategy: str = ""
    live_bytes: list[int] = field(default_factory=list)   # per node: bytes alive in the arena
    inplace: dict[str, InPlace] = field(default_factory=dict)   # node name -> inplace.InPlace the kernel must honour
    plain_bytes: int = 0                                 # the arena without in-place pairs (0: not tried)
    #                                                      nor concat slices
    slices: dict[str, Slice] = field(default_factory=dict)      # concat input -> its Slice: planned in its slot

    scratch: dict[int, str] = field(default_factory=dict)       # node index -> its scratch buffer's key in offsets
    state_offsets: dict[str, int] = field(default_factory=dict)  # variable tensor -> offset in the state buffer
    state_bytes: int = 0                                 # the state buffer (outside the arena, kept across invokes)
    resource_offsets: dict[tuple[str, str], int] = field(default_factory=dict)   # resource variable (container,
    #                                                      shared_name: core/control.py) -> offset in the state buffer
    node_state_offsets: dict[str, tuple[int, ...]] = field(default_factory=dict)   # node name -> offsets of its
    #                                                      kernel state's segments in the state buffer (kernel_state)
    dropped_scratch: frozenset[int] = frozenset()      # node indices whose speed-only scratch was dropped to keep
    #                                                      the peak: their kernels are the plain ones

    def keeps_speed_scratch(self, index: int) -> bool:
        """Whether node `index` got its speed-only scratch (trait speed_scratch): its fast kernel may run."""
        return index not in self.dropped_scratch

    def storage(self, name: str) -> str:
        while name in self.aliases:
            name = self.aliases[name]
        return name


def node_buffer_keys(g: Graph, indices: Iterable[int], kind: str = "scratch") -> dict[int, str]:
    """Keys for per-node buffers in the plan's offsets: "<node>#<kind>", readable, but never a
    tensor's name nor another node's key (node names may repeat; names are data)."""
    ordered = sorted(indices)
    counts: dict[str, int] = {}
    for i in ordered:
        counts[g.nodes[i].name] = counts.get(g.nodes[i].name, 0) + 1
    used, keys = set(g.tensors), {}
    for i in ordered:
        key = f"{g.nodes[i].name}#{kind}"
        if key in used or counts[g.nodes[i].name] > 1:
            key = f"{key}{i}"
        while key in used:
            key += "#"
        used.add(key)
        keys[i] = key
    return keys


def view_aliases(g: Graph, external: set[str]) -> dict[str, str]:
    """View outputs (reshape, squeeze ...) -> the input whose storage they share."""
    aliases = {}
    for node in g.nodes:
        if ops.trait(node.op, "view"):
            src, dst = node.inputs[0], node.outputs[0]
            if src in g.tensors and not g.tensors[src].is_const and src not in external and dst not in external:
                aliases[dst] = src
    return aliases


Order = Callable[[Buffer], Any]        # a placement order: the sort key of a buffer


def _place(buffers: list[Buffer], order: Order) -> int:
    placed: list[Buffer] = []
    for b in sorted(buffers, key=order):
        conflicts = sorted((p for p in placed if p.first <= b.last and b.first <= p.last),
                           key=lambda p: p.offset)
        offset = 0
        for p in conflicts:
            if offset + b.size <= p.offset:
                break
            offset = max(offset, p.offset + p.size)
        b.offset = offset
        placed.append(b)
    return max((b.offset + b.size for b in buffers), default=0)


def _conflict_order(buffers: list[Buffer]) -> Order:
    """Most conflicting first: the bytes of the buffers alive together with each one."""
    degree = {b.name: sum(p.size for p in buffers if p is not b and p.first <= b.last and b.first <= p.last)
              for b in buffers}
    return lambda b: (-(degree[b.name] + b.size), -b.size, b.name)


STRATEGIES: dict[str, Order | Callable[[list[Buffer]], Order]] = {
    "size": lambda b: (-b.size, b.first, b.name),
    "lifetime": lambda b: (-(b.last - b.first), -b.size, b.name),
    "first-use": lambda b: (b.first, -b.size, b.name),
    "conflicts": _conflict_order,        # a factory: the order depends on the whole set
}


def _orders(buffers: list[Buffer]) -> Iterator[tuple[str, Order]]:
    for strategy, order in STRATEGIES.items():
        yield strategy, _conflict_order(buffers) if order is _conflict_order else cast(Order, order)


def place_buffers(buffers: list[Buffer]) -> int:
    """First-fit placement of buffers with lifetimes, best of the strategies; sets each offset and
    returns the arena size (for backends that plan their own intermediates)."""
    best = None
    for _, order in _orders(buffers):
        size = _place(buffers, order)
        if best is None or size < best[0]:
            best = (size, {b.name: b.offset for b in buffers})
    if best is None:
        return 0
    for b in buffers:
        b.offset = best[1][b.name]
    return best[0]


def plan(g: Graph, scratch: dict[int, int] | None = None, io_in_arena: bool = False,
         speed_scratch: str | None = None) -> MemoryPlan:
    """Place the arena of `g` as the memory passes decided it: the in-place pairs and concat
    slices recorded on the graph (`g.inplace`, `g.slices`: core/passes/inplace.py and
    concat_alias.py; None when no pass decided, i.e. the backend's kernels honour none). The
    planner decides nothing and leaves g alone. `scratch` maps node index -> scratch bytes a
    backend kernel needs. With `io_in_arena`, model inputs and outputs are placed in the arena too
    (as TF Lite Micro keeps them): inputs live from the start, outputs to the end. When a pass
    decided, `plain_bytes` is the arena without pairs or slices. `speed_scratch` ("fit" or "keep";
    None: SPEED_SCRATCH) is what happens to speed-only scratch that would raise the peak
    (fit_speed_scratch). To decide and place in one call (the compile pipeline's passes), use
    core/passes/memory.py's `plan`."""
    pairs, slices = list(g.inplace or []), list(g.slices or [])
    decisions: list[InPlace | Slice] = [*pairs, *slices]
    for d in decisions:
        if not (0 <= d.index < len(g.nodes) and g.nodes[d.index].name == d.node):
            raise ValueError(f"the memory decision for node {d.node!r} is stale (the nodes changed after the "
                             "pass that made it): run the in-place and concat passes last")
    policy = SPEED_SCRATCH if speed_scratch is None else speed_scratch
    if policy not in ("fit", "keep"):
        raise ValueError(f"speed_scratch is 'fit' or 'keep', got {policy!r}")
    dropped = fit_speed_scratch(g, scratch, io_in_arena, pairs, slices) if policy == "fit" else frozenset()
    best = place(g, scratch, io_in_arena, pairs, slices, dropped)
    if g.inplace is not None or g.slices is not None:
        best.plain_bytes = (place(g, scratch, io_in_arena, dropped=dropped).arena_bytes if pairs or slices
                            else best.arena_bytes)
    return best


def speed_scratch_of(g: Graph) -> dict[int, int]:
    """Node index -> the speed-only scratch bytes its operator declares (trait speed_scratch), where > 0."""
    out = {}
    for i, node in enumerate(g.nodes):
        of = getattr(ops.get(node.op), "scratch_bytes", None)
        if of is not None and ops.trait(node.op, "speed_scratch") and (size := int(of(node, g))) > 0:
            out[i] = size
    return out


def fit_speed_scratch(g: Graph, scratch: dict[int, int] | None, io_in_arena: bool,
                      pairs: list[InPlace], slices: list[Slice]) -> frozenset[int]:
    """The nodes whose speed-only scratch must go so that the arena is no larger than without any:
    none when every buffer fits in a gap; else the nodes whose live bytes with it already exceed that
    arena, then one at a time the node where the live bytes peak (larger scratch, earlier node on
    ties), placing again after each, until the arena is back to the plain one (with all dropped it is
    that very placement)."""
    optional = speed_scratch_of(g)
    if not optional:
        return frozenset()
    floor = place(g, scratch, io_in_arena, pairs, slices, frozenset(optional)).arena_bytes
    current = place(g, scratch, io_in_arena, pairs, slices)
    dropped = {i for i in optional if current.live_bytes[i] > floor}      # their bound alone beats the floor
    if dropped:
        current = place(g, scratch, io_in_arena, pairs, slices, frozenset(dropped))
    while current.arena_bytes > floor:
        i = max((i for i in optional if i not in dropped), key=lambda i: (current.live_bytes[i], optional[i], -i))
        dropped.add(i)
        current = place(g, scratch, io_in_arena, pairs, slices, frozenset(dropped))
    return frozenset(dropped)


def external(g: Graph, io_in_arena: bool) -> set[str]:
    """Tensors the arena does not hold: the caller's inputs and outputs (unless in the arena) and the
    persistent state (variable tensors, planned by state_layout)."""
    return ((set() if io_in_arena else set(g.inputs) | set(g.outputs)) | set(state_layout(g)[0])
            | {n for n, t in g.tensors.items() if t.dtype == "resource"})     # handles: resolved when compiling


def spans_of(g: Graph, aliases: dict[str, str], external: set[str]) -> dict[str, list[int]]:
    """Storage root -> [first, last] node index using it (tensors outside `external`, not constants)."""
    def root(name: str) -> str:
        while name in aliases:
            name = aliases[name]
        return name

    spans: dict[str, list[int]] = {}
    for i, node in enumerate(g.nodes):
        for name in [*node.inputs, *node.outputs]:
            if name is None or g.tensors[name].is_const or name in external:
                continue
            span = spans.setdefault(root(name), [i, i])
            span[0], span[1] = min(span[0], i), max(span[1], i)
    return spans


def place(g: Graph, scratch: dict[int, int] | None = None, io_in_arena: bool = False,
          pairs: Iterable[InPlace] = (), slices: Iterable[Slice] = (), dropped: frozenset[int] = frozenset()
          ) -> MemoryPlan:
    """The arena plan of g with these in-place `pairs` (core/inplace.InPlace) and concat `slices`
    (core/concat_alias.Slice): every buffer placed, the best of the placement orders; the nodes in
    `dropped` without their speed-only scratch, the nodes of costly pairs (which run the c kernel)
    without the backend's `scratch`."""
    costly = {c.index for c in pairs if c.costly}     # they run the c kernel: not the backend's scratch
    if costly and scratch:
        scratch = {i: 0 if i in costly else size for i, size in scratch.items()}
    scratch = with_op_scratch(g, scratch, dropped)
    ext = external(g, io_in_arena)
    aliases = view_aliases(g, ext)
    shift: dict[str, int] = {}            # an offset pair's output: its displacement from its input
    for c in pairs:
        aliases[c.output] = c.input
        if c.kind == "offset":
            shift[c.output] = -align(c.gap)

    def root(name: str) -> str:
        while name in aliases:
            name = aliases[name]
        return name

    def pos(name: str) -> int:
        """name's displacement from its storage root (offset pairs' outputs lie below their inputs)"""
        at = 0
        while name in aliases:
            at += shift.get(name, 0)
            name = aliases[name]
        return at

    base: dict[str, int] = {}             # storage root -> its lowest member's displacement
    for name in shift:
        r = root(name)
        base[r] = min(base.get(r, 0), pos(name))

    def rel(name: str) -> int:
        """name's byte offset in its storage root's buffer"""
        return pos(name) - base.get(root(name), 0)

    # a concat input's storage group lives inside the output's (nested concats: offsets add up)
    parent = {root(s.input): (root(s.output), s.offset + rel(s.output) - rel(s.input)) for s in slices}

    def home(r: str) -> tuple[str, int]:
        """(the buffer holding storage root r, r's byte offset in it)"""
        at = 0
        while r in parent:
            r, off = parent[r]
            at += off
        return r, at

    spans = spans_of(g, aliases, ext)
    for r in parent:
        if r in spans:
            span = spans.pop(r)
            top = spans.setdefault(home(r)[0], list(span))
            top[0], top[1] = min(top[0], span[0]), max(top[1], span[1])
    if io_in_arena:
        last = max(len(g.nodes) - 1, 0)
        for name in g.inputs:
            if not g.tensors[name].is_const:
                span = spans.setdefault(root(name), [0, 0])
                span[0] = 0
        for name in g.outputs:
            if not g.tensors[name].is_const:
                span = spans.setdefault(root(name), [last, last])
                span[1] = last
    sizes: dict[str, int] = {}
    for name, t in g.tensors.items():
        if not t.is_const and name not in ext and root(name) in spans:
            sizes[root(name)] = max(sizes.get(root(name), 0), rel(name) + t.nbytes)
    buffers = [Buffer(r, align(sizes.get(r, g.tensors[r].nbytes)), s[0], s[1]) for r, s in spans.items()]
    scratch_sizes = scratch or {}
    scratch_keys = node_buffer_keys(g, [i for i, size in scratch_sizes.items() if size > 0])
    for i, key in scratch_keys.items():
        buffers.append(Buffer(key, align(scratch_sizes[i]), i, i))
    for c in pairs:
        if c.scratch > 0:
            buffers.append(Buffer(f"{c.node}#inplace", align(c.scratch), c.index, c.index))
    live = [sum(b.size for b in buffers if b.first <= i <= b.last) for i in range(len(g.nodes))]
    bound = max(live, default=0)
    best = None
    for strategy, order in _orders(buffers):
        size = _place(buffers, order)
        if best is None or size < best[0]:
            best = (size, strategy, {b.name: b.offset for b in buffers})
    assert best is not None, "_orders yields at least one strategy"
    size, strategy, offsets = best
    for b in buffers:
        b.offset = offsets[b.name]
    all_offsets = dict(offsets)
    for member in [*aliases, *parent, *base]:
        holder, at = home(root(member))
        if holder in offsets:
            all_offsets[member] = offsets[holder] + at + rel(member)
    state_offsets, state_bytes = state_layout(g)
    result = MemoryPlan(size, bound, all_offsets, ext - set(state_offsets), aliases, buffers, strategy, live,
                        {c.node: c for c in pairs}, slices={s.input: s for s in slices})
    result.scratch = scratch_keys
    result.state_offsets, result.state_bytes = state_offsets, state_bytes
    result.resource_offsets, result.state_bytes = resource_layout(g, state_bytes)
    result.node_state_offsets, result.state_bytes = node_state_layout(g, result.state_bytes)
    result.dropped_scratch = frozenset(dropped)
    return result


def with_op_scratch(g: Graph, scratch: dict[int, int] | None,
                    dropped: frozenset[int] = frozenset()) -> dict[int, int] | None:
    """A backend's scratch plus the working memory an operator itself declares (a core op module's
    `scratch_bytes(node, g)`, e.g. an LSTM's gates and state), by node index in the current order,
    but none of the nodes in `dropped` (their speed-only scratch dropped: fit_speed_scratch);
    `scratch` unchanged when no operator declares any."""
    own = {}
    for i, node in enumerate(g.nodes):
        if i in dropped:
            continue
        of = getattr(ops.get(node.op), "scratch_bytes", None)
        if of is not None and (size := int(of(node, g))) > 0:
            own[i] = size
    if not own:
        return scratch
    merged = dict(scratch or {})
    for i, size in own.items():
        merged[i] = merged.get(i, 0) + size
    return merged


def state_layout(g: Graph) -> tuple[dict[str, int], int]:
    """The persistent state buffer: every variable tensor (core/graph.py Tensor.variable) at its own
    aligned offset, in name order (they all live for the whole program, across invokes); its size."""
    used = {n for node in g.nodes for n in [*node.inputs, *node.outputs] if n is not None}
    offsets, at = {}, 0
    for name in sorted(n for n, t in g.tensors.items() if t.variable and n in used):
        offsets[name] = at
        at += align(g.tensors[name].nbytes)
    return offsets, at


def resource_layout(g: Graph, start: int) -> tuple[dict[tuple[str, str], int], int]:
    """The model's resource variables (core/control.py) in the state buffer after its `start` bytes, for
    the main graph of a multi-subgraph model (a called subgraph's plan holds none); the buffer's new size."""
    if not g.subgraphs or any(s is g for s in g.subgraphs[1:]):
        return {}, start
    from tinycc.core import control
    offsets, at = {}, start
    for key, var in control.variables(g).items():
        offsets[key] = at
        at += align(var.nbytes)
    return offsets, at


def kernel_state(node: Node, g: Graph) -> list[Any]:
    """A node's kernel state (what TF Lite Micro keeps in the kernel's persistent buffer: the signal
    library's noise estimates, delay lines, frame buffers): the segments (numpy arrays holding their
    reset values) its op module's `initial_state(node, g, params)` returns, [] for a stateless op.
    The reference interpreter keeps the same arrays as params["state"]; the c backend places them in
    the persistent state buffer, where NAME_reset() writes the reset values."""
    module = ops.get(node.op)
    initial = getattr(module, "initial_state", None)
    if module is None or initial is None:
        return []
    state = initial(node, g, module.prepare(node, g))
    return list(state) if isinstance(state, (list, tuple)) else [state]


def node_state_layout(g: Graph, start: int) -> tuple[dict[str, tuple[int, ...]], int]:
    """The nodes' kernel state in the persistent state buffer after its first `start` bytes (the
    variable tensors and resource variables): per node the aligned offset of each segment, in node
    order; the buffer's size."""
    offsets, at = {}, start
    for node in g.nodes:
        segments = []
        for arr in kernel_state(node, g):
            segments.append(at)
            at += align(int(arr.nbytes))
        if segments:
            offsets[node.name] = tuple(segments)
    return offsets, at
