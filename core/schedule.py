"""Memory-aware operator scheduling: the topological order of g.nodes with the smallest peak.

Graphs with branches (residual adds, concatenations) can often run their branches in another
order than the file's and keep fewer tensors alive at once. `best_order` searches the orders by
dynamic programming over the sets of executed nodes (exact for the bytes-alive model, bounded
by MAX_STATES; past it, a greedy choice of the ready node that leaves the fewest bytes alive).
`reorder` applies the found order only if the real memory plan (a callback) gets smaller.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from tinycc.core import ops
from tinycc.core.graph import Graph

MAX_STATES = 200_000
MAX_WORK = 5_000_000        # states x nodes the exact search may visit (unrolled RNNs have hundreds)


def _model(g: Graph) -> tuple[int, dict[str, int], dict[str, int], list[int], dict[str, int], list[list[str]]]:
    external = set(g.inputs) | set(g.outputs)
    n = len(g.nodes)
    producer: dict[str, int] = {}
    for i, node in enumerate(g.nodes):
        for o in node.outputs:
            if o is not None:
                producer[o] = i
    consumers: dict[str, int] = {}          # tensor -> bitmask of consuming nodes
    deps = [0] * n
    for i, node in enumerate(g.nodes):
        for x in node.inputs:
            if x is None:
                continue
            consumers[x] = consumers.get(x, 0) | (1 << i)
            if x in producer and producer[x] != i:
                deps[i] |= 1 << producer[x]
    ordered = [i for i, node in enumerate(g.nodes) if ops.trait(node.op, "ordered")]
    for before, after in zip(ordered, ordered[1:]):      # effects the data edges do not show keep their order
        deps[after] |= 1 << before
    size = {t: (0 if t in external or g.tensors[t].is_const else g.tensors[t].nbytes) for t in producer}
    outs = [[o for o in node.outputs if o is not None] for node in g.nodes]
    return n, producer, consumers, deps, size, outs


def best_order(g: Graph) -> list[int]:
    """Node indices in the order with the smallest peak of bytes alive (file order on ties)."""
    n, producer, consumers, deps, size, outs = _model(g)
    if n == 0:
        return []
    ins = [list(dict.fromkeys(x for x in node.inputs if x is not None and x in producer)) for node in g.nodes]

    def after(done: int, alive: int, v: int) -> int:
        """Bytes alive once v has run, from those alive before (`done` excludes v): O(v's tensors)."""
        now = done | 1 << v
        alive += sum(size[t] for t in outs[v] if consumers.get(t, 0) & ~now)
        return alive - sum(size[t] for t in ins[v] if producer[t] != v and not consumers[t] & ~now)

    full = (1 << n) - 1
    memo: dict[int, tuple[int, int]] = {}
    states = min(MAX_STATES, MAX_WORK // n)      # each state looks at every node: bound the work, not only states

    def solve(done: int, alive: int) -> int:
        if done == full:
            return 0
        if done in memo:
            return memo[done][0]
        if len(memo) > states:
            raise OverflowError
        best = None
        for v in range(n):
            if done >> v & 1 or deps[v] & ~done:
                continue
            during = alive + sum(size[t] for t in outs[v])
            cost = max(during, solve(done | 1 << v, after(done, alive, v)))
            if best is None or cost < best[0]:
                best = (cost, v)
        assert best is not None, "an unfinished acyclic graph always has a node whose inputs are done"
        memo[done] = best
        return best[0]

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * n + 100))
    try:
        solve(0, 0)
        order, done = [], 0
        while done != full:
            v = memo[done][1]
            order.append(v)
            done |= 1 << v
        return order
    except (OverflowError, RecursionError):
        order, done, alive = [], 0, 0           # greedy: the ready node leaving the fewest bytes alive
        while done != full:
            ready = [v for v in range(n) if not done >> v & 1 and not deps[v] & ~done]
            v = min(ready, key=lambda v: (after(done, alive, v), v))
            order.append(v)
            alive = after(done, alive, v)
            done |= 1 << v
        return order
    finally:
        sys.setrecursionlimit(limit)


def reorder(g: Graph, cost: Callable[[], int]) -> bool:
    """Reorder g.nodes to `best_order` if `cost()` (e.g. the planned arena) gets smaller; True if so."""
    order = best_order(g)
    if order == list(range(len(g.nodes))):
        return False
    original = list(g.nodes)
    before = cost()
    g.nodes[:] = [original[i] for i in order]
    if cost() < before:
        return True
    g.nodes[:] = original
    return False
