"""In-place operators, memory-aware scheduling and the planner search (issue #9, items 1-3).

- Random int8 convolutions / depthwise convolutions computed in place by the `c` backend
  (kernels/inplace.h) equal TF Lite Micro byte for byte.
- The shared int8 models: the `c` backend's plan (in place + scheduled) meets the arena targets,
  beats the plain plan, passes an independent overlap checker, and the built C equals TFLM.
- Scheduling picks a better order than the file's on a residual graph.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tests.ops import cases
from tests.ops.check import random_inputs
from tests.tflm import models_dir, run_tflm
from tinycc.core import inplace, interpreter, planner, schedule
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes import memory
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

C_PLAN = {"inplace": True, "schedule": True}

# arena bytes of the `c` backend: before issue #9 (plain plan), and the targets
TARGETS = {"mlperf_tiny/kws_ref_model.tflite": (16000, 9000),
           "mlperf_tiny/vww_96_int8.tflite": (55296, 40000),
           "tflm_examples/person_detect.tflite": (55296, 40000),
           "mlperf_tiny/pretrainedResnet_quant.tflite": (49152, 36000),
           "mlperf_tiny/ad01_int8.tflite": (272, 768)}


def check_no_overlap(g: Graph, p: planner.MemoryPlan):
    """Independent of the planner's buffers: every arena tensor's [offset, offset + nbytes) over
    its own lifetime (definition .. last use in g.nodes) must not meet another live tensor's bytes,
    except a reshape's output with its input (a view) and an in-place pair at its node; ring
    scratch buffers must not meet any tensor alive at their node."""
    life: dict[str, list[int]] = {}
    for i, node in enumerate(g.nodes):
        for name in [*node.inputs, *node.outputs]:
            if name is None or g.tensors[name].is_const or name in p.external:
                continue
            span = life.setdefault(name, [i, i])
            span[1] = i
    items = [(n, p.offsets[n], g.tensors[n].nbytes, s[0], s[1]) for n, s in life.items()]
    for c in p.inplace.values():
        if c.scratch:
            idx = next(i for i, node in enumerate(g.nodes) if node.name == c.node)
            items.append((c.node + "#inplace", p.offsets[c.node + "#inplace"], c.scratch, idx, idx))
    views = {(n.outputs[0], n.inputs[0]) for n in g.nodes if n.op == "reshape"}
    pairs = {}
    for i, node in enumerate(g.nodes):
        c = p.inplace.get(node.name)
        if c is not None:
            pairs[(c.output, c.input)] = i
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            na, oa, sa, fa, la = items[a]
            nb, ob, sb, fb, lb = items[b]
            if la < fb or lb < fa or oa + sa <= ob or ob + sb <= oa:
                continue
            if (na, nb) in views or (nb, na) in views:
                continue
            at = pairs.get((na, nb), pairs.get((nb, na)))
            if at is not None and max(fa, fb) == min(la, lb) == at:
                continue
            raise AssertionError(f"{na} [{oa}, +{sa}) nodes {fa}..{la} overlaps {nb} [{ob}, +{sb}) nodes {fb}..{lb}")
    assert max((o + s for _, o, s, _, _ in items), default=0) <= p.arena_bytes


def sandwiched(model: bytes) -> Graph:
    """The single-op model's graph with the op between two copies, so its input and output are
    arena intermediates the planner may share."""
    g = load_tflite(Path("case.tflite"), model)
    node = g.nodes[0]
    x, y = node.inputs[0], node.outputs[0]
    tx, ty = g.tensors[x], g.tensors[y]
    g.tensors["x_mid"] = Tensor("x_mid", tx.shape, tx.dtype, tx.quant)
    g.tensors["y_mid"] = Tensor("y_mid", ty.shape, ty.dtype, ty.quant)
    node.inputs[0], node.outputs[0] = "x_mid", "y_mid"
    g.nodes[:] = [Node("copy_in", "reshape", [x], ["x_mid"], {"shape": tuple(tx.shape)}), node,
                  Node("copy_out", "reshape", ["y_mid"], [y], {"shape": tuple(ty.shape)})]
    return validate(g)


@pytest.mark.parametrize("op", ["conv_2d", "depthwise_conv_2d"])
def test_random_convolutions_in_place_equal_tflm(op, tmp_path):
    rng = np.random.default_rng(9)
    used = 0
    for k in range(14):
        model = cases.CASES[op](rng, "int8")
        g = sandwiched(model)
        p = memory.plan(g, inplace=True)
        c = p.inplace.get(g.nodes[1].name)
        if c is None:
            continue
        used += 1
        check_no_overlap(g, p)
        samples = [random_inputs(g, rng) for _ in range(4)]
        outs = run_exe(build(g, tmp_path / f"{k}"), g, samples) if (tmp_path / f"{k}").mkdir() is None else None
        for xs, o in zip(samples, outs):
            np.testing.assert_array_equal(o[0].reshape(run_tflm(model, xs)[0].shape), run_tflm(model, xs)[0],
                                          err_msg=f"{op} case {k}: {c}")
    assert used >= 5, used


def test_ring_covers_a_bigger_output_bottom_up():
    s = {"h": 8, "w": 8, "ci": 8, "oh": 8, "ow": 8, "co": 16, "kh": 1, "kw": 1, "sh": 1, "sw": 1, "dh": 1,
         "dw": 1, "pad_t": 0, "pad_l": 0}
    assert inplace.ring_rows(s, backward=True) == 1
    assert inplace.ring_rows(s, backward=False) > 1       # top-down must hold rows until the input moves on


def model_path(rel):
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"shared model {rel} not found under {models_dir()}")
    return path


@pytest.mark.parametrize("rel", sorted(TARGETS))
def test_shared_model_arena_targets_and_bit_exact(rel, tmp_path):
    path = model_path(rel)
    g = load_tflite(path)
    before, target = TARGETS[rel]
    plain = planner.plan(g)
    assert plain.arena_bytes == before
    p = memory.plan(g, **C_PLAN)
    assert p.arena_bytes <= target, (p.arena_bytes, target)
    assert p.arena_bytes <= before
    if before > target:
        assert p.arena_bytes < before and p.inplace
        assert p.plain_bytes == before
    assert p.bound_bytes <= p.arena_bytes
    check_no_overlap(g, p)
    data = path.read_bytes()
    rng = np.random.default_rng(4)
    samples = [random_inputs(g, rng) for _ in range(4)]
    outs = run_exe(build(g, tmp_path), g, samples)
    assert f"ARENA_BYTES {p.arena_bytes} " in (tmp_path / "model.h").read_text()
    for xs, o in zip(samples, outs):
        for got, e in zip(o, run_tflm(data, xs)):
            np.testing.assert_array_equal(got.reshape(e.shape), e)


def test_other_backends_keep_plain_plans():
    from tinycc.core.plugins import registry
    for name in ("tflm", "microtvm"):      # cmsis-nn: in place by its kernels' rules (test_cmsis_nn_inplace.py)
        try:
            be = registry().get("backend", name)
        except Exception:
            continue
        assert not getattr(be, "plan_options", {}).get("inplace"), name
    assert registry().get("backend", "c").plan_options["inplace"]


def residual_graph() -> Graph:
    """x -> a; a -> b (big); a -> c1 (big) -> c2 (pooled, small); y = b + c2 (broadcast).
    File order computes b first and keeps it alive while the c branch holds a and c1."""
    big = (1, 10, 10, 10)
    t = {n: Tensor(n, big, "float32") for n in ("x", "a", "b", "c1", "y")}
    t["c2"] = Tensor("c2", (1, 1, 1, 10), "float32")
    nodes = [Node("na", "relu", ["x"], ["a"]), Node("nb", "relu", ["a"], ["b"]),
             Node("nc1", "relu", ["a"], ["c1"]),
             Node("nc2", "average_pool_2d", ["c1"], ["c2"], {"kernel": (10, 10), "strides": (10, 10)}),
             Node("add", "add", ["b", "c2"], ["y"])]
    return validate(Graph("res", t, nodes, ["x"], ["y"]))


def test_schedule_beats_file_order_on_a_residual_graph():
    g = residual_graph()
    before = planner.plan(g).arena_bytes
    p = memory.plan(g, schedule=True)
    order = [n.name for n in g.nodes]
    assert p.arena_bytes < before, (p.arena_bytes, before, order)
    assert order.index("nc1") < order.index("nb")
    x = np.random.default_rng(0).standard_normal((1, 10, 10, 10)).astype(np.float32)
    np.testing.assert_array_equal(interpreter.run(g, [x])[0], interpreter.run(residual_graph(), [x])[0])


def test_schedule_keeps_file_order_when_no_better():
    g = residual_graph()
    g.nodes[:] = [g.nodes[0], g.nodes[2], g.nodes[3], g.nodes[1], g.nodes[4]]
    names = [n.name for n in g.nodes]
    memory.plan(g, schedule=True)
    assert [n.name for n in g.nodes] == names


def test_conflict_strategy_is_tried():
    assert "conflicts" in planner.STRATEGIES
    assert schedule.best_order(residual_graph())[:2] == [0, 2]
