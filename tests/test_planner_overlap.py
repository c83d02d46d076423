"""A backend's own aliasing rules in the memory plan (core/inplace.Overlap, the backend's
`in_place(node, g)` hook): "offset" pairs put the output `gap` bytes (rounded up to the arena
alignment) before its input, inside one buffer; "costly" pairs (the backend's kernel allows no
overlap, the c kernel's rule taken instead) plan no backend scratch for their node; offset and
costly pairs that do not lower the arena are dropped. Tensors are int8 of 100 bytes unless said."""
from __future__ import annotations

from tests.test_inplace import check_no_overlap
from tests.tflite_builder import q
from tinycc.core import planner
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.inplace import Overlap
from tinycc.core.passes import memory
from tinycc.core.validate import validate

SHAPE = (1, 10, 10, 1)


def chain(pooled: bool = False) -> Graph:
    """x -> relu -> a -> relu -> b -> relu -> y; `pooled`: b -> global average pool -> c (1 byte)
    -> relu -> d -> relu -> y instead."""
    quant = q(0.05, 3)
    names = ["x", "a", "b", "c", "d", "y"] if pooled else ["x", "a", "b", "y"]
    t = {n: Tensor(n, SHAPE, "int8", quant) for n in names}
    nodes = [Node("n0", "relu", ["x"], ["a"]), Node("n1", "relu", ["a"], ["b"])]
    if pooled:
        for n in ("c", "d", "y"):
            t[n] = Tensor(n, (1, 1, 1, 1), "int8", quant)
        nodes += [Node("pool", "average_pool_2d", ["b"], ["c"], {"kernel": (10, 10), "strides": (10, 10)}),
                  Node("n3", "relu", ["c"], ["d"]), Node("n4", "relu", ["d"], ["y"])]
    else:
        nodes.append(Node("n2", "relu", ["b"], ["y"]))
    return validate(Graph("chain", t, nodes, ["x"], ["y"]))


def rule(gaps: dict[str, int | None]):
    def in_place(node, g):
        return Overlap(gap=gaps[node.name]) if node.name in gaps else None
    return in_place


def test_offset_pair_puts_the_output_gap_bytes_before_its_input():
    g = chain()
    plain = planner.plan(g).arena_bytes
    p = memory.plan(g, inplace=True, in_place=rule({"n1": 40}))
    pair = p.inplace["n1"]
    assert (pair.kind, pair.gap, pair.input, pair.output, pair.costly) == ("offset", 40, "a", "b", False)
    assert p.offsets["a"] - p.offsets["b"] == 48                  # 40 rounded up to 16
    assert p.arena_bytes == 160 < plain == 224                     # one buffer: 48 + 100, aligned
    check_no_overlap(g, p)


def test_gap_zero_on_equal_sizes_is_one_address():
    g = chain()
    p = memory.plan(g, inplace=True, in_place=rule({"n1": 0}))
    assert p.inplace["n1"].kind == "elementwise" and p.offsets["a"] == p.offsets["b"]
    assert p.arena_bytes == 112


def test_no_overlap_takes_the_operators_rule_as_a_costly_pair_without_the_backends_scratch():
    g = chain()
    scratch = {1: 64}                                             # the backend kernel's scratch at n1
    plain = memory.plan(g, scratch_bytes=lambda node, g: 64 if node.name == "n1" else 0).arena_bytes
    p = memory.plan(g, inplace=True, in_place=rule({"n1": None}),
                    scratch_bytes=lambda node, g: scratch.get(g.nodes.index(node), 0))
    pair = p.inplace["n1"]
    assert pair.kind == "elementwise" and pair.costly            # relu's own rule, the c kernel runs
    assert 1 not in p.scratch and p.arena_bytes == 112 < plain == 288


def test_offset_pairs_that_do_not_lower_the_arena_are_dropped():
    g = chain(pooled=True)
    p = memory.plan(g, inplace=True, in_place=rule({"n1": 40, "n3": 8}))
    assert "n1" in p.inplace and "n3" not in p.inplace         # the 1-byte pair changes nothing: dropped
    kept = memory.plan(g, inplace=True)                          # relu's own rule keeps both (no pruning)
    assert {"n1", "n3"} <= set(kept.inplace)


def test_concat_slots_sit_in_an_output_displaced_by_an_offset_pair():
    """x -> relu -> a1, x -> relu -> a2, concat(a1, a2) -> c (200 B), relu -> d (offset pair, gap 40)
    -> relu -> y: the slots are a1 and a2 at c's address (c itself 48 bytes above d)."""
    quant = q(0.05, 3)
    half, full = (1, 5, 10, 2), (1, 10, 10, 2)
    t = {n: Tensor(n, half, "int8", quant) for n in ("x", "a1", "a2")}
    t.update({n: Tensor(n, full, "int8", quant) for n in ("c", "d", "y")})
    nodes = [Node("r1", "relu", ["x"], ["a1"]), Node("r2", "relu", ["x"], ["a2"]),
             Node("cat", "concatenation", ["a1", "a2"], ["c"], {"axis": 1}),
             Node("n", "relu", ["c"], ["d"]), Node("out", "relu", ["d"], ["y"])]
    g = validate(Graph("cat", t, nodes, ["x"], ["y"]))
    p = memory.plan(g, inplace=True, concat_alias=True, in_place=rule({"n": 40}))
    assert p.inplace["n"].kind == "offset" and set(p.slices) == {"a1", "a2"}
    assert p.offsets["c"] - p.offsets["d"] == 48
    assert (p.offsets["a1"], p.offsets["a2"]) == (p.offsets["c"], p.offsets["c"] + 100)
    assert p.arena_bytes == 256                               # 48 + 200, aligned
