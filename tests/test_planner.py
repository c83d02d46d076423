"""The static memory planner on hand-made graphs: placement, aliasing, bound."""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.planner import plan


def chain(sizes, ops=None):
    """x -> t1 -> t2 ... -> y with int8 tensors of the given sizes (identity ops by default)."""
    names = ["x"] + [f"t{i}" for i in range(1, len(sizes) - 1)] + ["y"]
    tensors = {n: Tensor(n, (s,), "int8") for n, s in zip(names, sizes)}
    ops = ops or ["relu"] * (len(sizes) - 1)
    nodes = [Node(f"n{i}", op, [names[i]], [names[i + 1]]) for i, op in enumerate(ops)]
    return Graph("g", tensors, nodes, ["x"], ["y"])


def overlaps(p, g):
    for a in p.buffers:
        for b in p.buffers:
            if a is b or a.last < b.first or b.last < a.first:
                continue
            assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)


def test_io_lives_in_caller_buffers_and_neighbours_do_not_overlap():
    g = chain([100, 200, 300, 50, 10])
    p = plan(g)
    assert "x" not in p.offsets and "y" not in p.offsets
    overlaps(p, g)
    # t1 (208 aligned) and t2 (304) are alive together at node 1; t3 joins t2 at node 2
    assert p.bound_bytes == 208 + 304
    assert p.arena_bytes == p.bound_bytes


def test_reshape_aliases_its_input():
    g = chain([64, 64, 64, 8], ops=["relu", "reshape", "relu"])
    p = plan(g)
    assert p.offsets["t2"] == p.offsets["t1"]
    assert p.arena_bytes == 64


def test_branches_keep_live_tensors_apart():
    t = {n: Tensor(n, (s,), "int8") for n, s in [("x", 16), ("a", 1000), ("b", 40), ("c", 40), ("y", 16)]}
    nodes = [Node("n0", "relu", ["x"], ["a"]), Node("n1", "relu", ["a"], ["b"]),
             Node("n2", "relu", ["b"], ["c"]), Node("n3", "add", ["a", "c"], ["y"])]
    g = Graph("g", t, nodes, ["x"], ["y"])
    p = plan(g)
    overlaps(p, g)
    assert p.bound_bytes == 1008 + 48 + 48
    assert p.arena_bytes == p.bound_bytes


def test_scratch_is_planned_for_its_node_only():
    g = chain([10, 100, 100, 10])
    p = plan(g, scratch={1: 500})
    overlaps(p, g)
    assert "n1#scratch" in p.offsets
    assert p.arena_bytes == 112 + 112 + 512
    assert np.all(np.array(p.live_bytes) <= p.arena_bytes)
