"""The memory passes alone (core/passes/inplace.py, concat_alias.py, memory.py) and the planner
reading their decisions (core/planner.py), on hand-made graphs: what each pass records on the
graph, that the planner places exactly that and decides nothing itself."""
from __future__ import annotations

import pytest

from tests.test_planner import chain
from tinycc.core import inplace, planner
from tinycc.core.graph import Graph, IoCost, Metadata, Node, PatchInfo, Tensor
from tinycc.core.passes import PassContext
from tinycc.core.passes.concat_alias import ConcatAlias
from tinycc.core.passes.inplace import InPlace
from tinycc.core.passes.memory import plan, plan_in

INPLACE = PassContext(plan_options={"inplace": True})
CONCAT = PassContext(plan_options={"concat_alias": True})


def concat_graph() -> Graph:
    """x -> a, x -> b (float32 [1,4] each); c = concat([a, b], axis 1) [1,8]; y = relu(c)."""
    t = {n: Tensor(n, (1, 4), "float32") for n in ("x", "a", "b")}
    t["c"], t["y"] = Tensor("c", (1, 8), "float32"), Tensor("y", (1, 8), "float32")
    nodes = [Node("na", "relu", ["x"], ["a"]), Node("nb", "relu", ["x"], ["b"]),
             Node("nc", "concatenation", ["a", "b"], ["c"], {"axis": 1, "activation": "none"}),
             Node("ny", "relu", ["c"], ["y"])]
    return Graph("cat", t, nodes, ["x"], ["y"])


def test_inplace_pass_records_the_pair_whose_input_dies():
    g = chain([64, 64, 64, 64])          # x -> t1 -> t2 -> y, int8 relus: t1 dies at n1
    out = InPlace(INPLACE).run(g)
    assert out is g and [(c.node, c.index, c.input, c.output, c.kind) for c in g.inplace] == \
        [("n1", 1, "t1", "t2", "elementwise")]
    assert g.slices is None
    p = planner.plan(g)                  # the planner places the recorded pair
    assert set(p.inplace) == {"n1"} and p.offsets["t1"] == p.offsets["t2"]
    assert p.arena_bytes == 64 and p.plain_bytes == 128


def test_inplace_pass_without_the_option_records_none_and_the_plan_shares_nothing():
    g = chain([64, 64, 64, 64])
    InPlace(PassContext()).run(g)
    assert g.inplace is None
    p = planner.plan(g)
    assert not p.inplace and p.arena_bytes == 128 and p.plain_bytes == 0


def test_inplace_pass_records_no_pair_that_does_not_shrink_the_arena():
    # n1 (t1 -> t2, 16 B each) could run in place, but the peak is at n3 (t3 + t4, 512 B): no gain
    g = chain([64, 16, 16, 256, 256, 64], ops=["relu", "relu", "relu", "softmax", "relu"])
    assert [c.node for c in inplace.pairs(g)] == ["n1"]
    InPlace(INPLACE).run(g)
    assert g.inplace == []
    p = planner.plan(g)
    assert not p.inplace and p.plain_bytes == p.arena_bytes == 512


def test_inplace_pass_takes_no_input_read_later():
    g = chain([64, 64, 64, 64])
    g.nodes.append(Node("n3", "relu", ["t1"], ["z"]))      # t1 read later: it does not die at n1
    g.tensors["z"] = Tensor("z", (64,), "int8")
    g.outputs.append("z")
    InPlace(INPLACE).run(g)
    assert g.inplace == []


def test_concat_pass_records_the_slots():
    g = concat_graph()
    ConcatAlias(CONCAT).run(g)
    assert [(s.input, s.output, s.offset) for s in g.slices] == [("a", "c", 0), ("b", "c", 16)]
    assert g.inplace is None
    p = planner.plan(g)
    assert p.offsets["a"] == p.offsets["c"] and p.offsets["b"] == p.offsets["c"] + 16
    assert p.arena_bytes == 32 and p.plain_bytes == 64


def test_concat_pass_without_the_option_records_none():
    g = concat_graph()
    ConcatAlias(PassContext()).run(g)
    assert g.slices is None and not planner.plan(g).slices


def test_the_planner_decides_nothing():
    g = chain([64, 64, 64, 64])
    assert g.inplace is None and not planner.plan(g).inplace      # no pass ran: nothing shared
    names = [n.name for n in g.nodes]
    planner.plan(g)
    assert [n.name for n in g.nodes] == names and g.inplace is None


def test_a_stale_decision_is_refused():
    g = chain([64, 64, 64, 64])
    InPlace(INPLACE).run(g)
    g.nodes[1] = Node("renamed", "relu", ["t1"], ["t2"])
    with pytest.raises(ValueError, match="stale"):
        planner.plan(g)


def test_context_arena_records_nothing_and_equals_the_plan():
    g = chain([64, 64, 64, 64])
    assert INPLACE.arena(g) == 64 and g.inplace is None
    assert plan_in(g, INPLACE).arena_bytes == 64 and g.inplace


def test_plan_runs_schedule_inplace_and_concat():
    g = concat_graph()
    p = plan(g, inplace=True, schedule=True, concat_alias=True)
    assert g.inplace == [] and {s.input for s in g.slices} == {"a", "b"} and set(p.slices) == {"a", "b"}


def test_scratch_comes_from_the_context_in_the_current_order():
    g = chain([64, 64, 64, 64])
    ctx = PassContext(scratch_bytes=lambda node, graph: 100 if node.name == "n1" else 0)
    assert ctx.scratch(g) == {0: 0, 1: 100, 2: 0}
    p = plan_in(g, ctx)
    assert set(p.scratch) == {1} and p.arena_bytes == 64 + 64 + 112


def test_metadata_is_typed_and_an_old_dict_still_converts():
    g = Graph("g", {}, [], [], [], metadata={"format": "onnx", "notes": ["n"], "opset": 17, "io_layout": "nhwc"})
    assert isinstance(g.metadata, Metadata)
    assert (g.metadata.format, g.metadata.notes, g.metadata.io_layout) == ("onnx", ["n"], "nhwc")
    assert g.metadata.details == {"opset": 17} and not g.metadata.keep_order
    assert Graph("h", {}, [], [], []).metadata == Metadata()
    m = Metadata(patch=PatchInfo(2, 4, 100, 50, 10, 1000), io_cost=IoCost(8, 2))
    assert m.patch.arena_after == 50 and m.io_cost.int8_bytes == 2
