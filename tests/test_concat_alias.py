"""Concatenations planned without copies (issue #9, item 1; core/concat_alias.py).

Small int8 models built in code (written as real .tflite, run by TF Lite Micro as the oracle):
- producers writing straight into their slot of a concat output: the `c` backend's arena shrinks
  by exactly the bytes computed here by hand from the tensor sizes, the concat copies nothing,
  and the built C equals TFLM byte for byte (host; one case on an emulated Cortex-M4);
- concats that must keep their copies (input quantised differently, channel axis of H,W > 1
  maps, an input used elsewhere too, a model input, the same tensor twice, the concat output
  being the model's output): no slot for those inputs, still bit-exact;
- every plan passes an overlap checker that knows nothing of the planner's buffers;
- the other backends' plans never carry slots.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe, write_sources
from tests.ops.check import assert_qemu_m4_equals_tflm, random_inputs
from tests.tflite_builder import act, const, q
from tests.tflm import run_tflm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import concat_alias, planner
from tinycc.core.graph import Graph, Node
from tinycc.core.passes import memory
from tinycc.core.planner import align
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite

C_PLAN = {"inplace": True, "schedule": True, "concat_alias": True}    # the c backend's plan_options


class Model:
    """An int8 graph built op by op; every concat operand shares the concat's quantisation
    unless told otherwise."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.tensors, self.nodes, self.inputs, self.outputs = {}, [], [], []

    def quant(self, scale=None, zp=None):
        scale = float(np.float32(scale if scale is not None else self.rng.uniform(0.02, 0.08)))
        return q(scale, int(self.rng.integers(-20, 20)) if zp is None else zp)

    def input(self, name, shape):
        self.tensors[name] = act(name, shape, "int8", self.quant(0.05))
        self.inputs.append(name)
        return name

    def _out(self, name, quant, shape):
        self.tensors[name] = act(name, shape, "int8", quant or self.quant())
        return name

    def conv(self, name, x, cout, kernel=(1, 1), strides=(1, 1), pads=(0, 0, 0, 0), quant=None):
        cin = self.tensors[x].shape[-1]
        xs = self.tensors[x].quant.s
        ws = np.float32(self.rng.uniform(0.005, 0.02, cout))
        w = const(f"{name}_w", self.rng.integers(-127, 128, (cout, *kernel, cin)).astype(np.int8),
                  q(ws, np.zeros(cout), 0))
        b = const(f"{name}_b", self.rng.integers(-3000, 3000, cout).astype(np.int32),
                  q(ws * np.float32(xs), np.zeros(cout)))
        self.tensors[w.name], self.tensors[b.name] = w, b
        _, h, wd, _ = self.tensors[x].shape
        shape = (1, (h + pads[0] + pads[2] - kernel[0]) // strides[0] + 1,
                 (wd + pads[1] + pads[3] - kernel[1]) // strides[1] + 1, cout)
        self.nodes.append(Node(name, "conv_2d", [x, w.name, b.name], [self._out(name, quant, shape)],
                               {"strides": strides, "dilations": (1, 1), "pads": pads, "activation": "none"}))
        return name

    def fc(self, name, x, units, quant=None):
        depth = self.tensors[x].shape[-1]
        xs = self.tensors[x].quant.s
        ws = float(np.float32(self.rng.uniform(0.005, 0.02)))
        w = const(f"{name}_w", self.rng.integers(-127, 128, (units, depth)).astype(np.int8), q(ws, 0))
        b = const(f"{name}_b", self.rng.integers(-3000, 3000, units).astype(np.int32),
                  q(np.float32(xs) * np.float32(ws), 0))
        self.tensors[w.name], self.tensors[b.name] = w, b
        self.nodes.append(Node(name, "fully_connected", [x, w.name, b.name], [self._out(name, quant, (1, units))],
                               {"activation": "none", "keep_num_dims": False}))
        return name

    def concat(self, name, xs, axis, quant):
        shape = list(self.tensors[xs[0]].shape)
        shape[axis] = sum(self.tensors[n].shape[axis] for n in xs)
        self.nodes.append(Node(name, "concatenation", list(xs), [self._out(name, quant, tuple(shape))], {"axis": axis}))
        return name

    def requantize(self, name, x, quant):
        self.nodes.append(Node(name, "quantize", [x], [self._out(name, quant, self.tensors[x].shape)]))
        return name

    def reshape(self, name, x, shape):
        self.nodes.append(Node(name, "reshape", [x], [self._out(name, self.tensors[x].quant, tuple(shape))],
                               {"shape": tuple(shape)}))
        return name

    def finish(self, *outputs) -> bytes:
        g = validate(Graph("concat", dict(self.tensors), list(self.nodes), list(self.inputs), list(outputs),
                           source="<concat test>"))
        return write_tflite(g)


def graph_of(model: bytes) -> Graph:
    return load_tflite(Path("concat.tflite"), model)


# ---- the overlap checker ----

def check_plan(g: Graph, p: planner.MemoryPlan):
    """Independent of the planner's buffers: every arena tensor's [offset, offset + nbytes) over its
    own lifetime (definition .. last use in g.nodes) must not meet another live tensor's bytes.
    Allowed: a reshape with its input (a view), an in-place pair at its node, and a concat input
    with the concat's output at the concat node, only when the input sits exactly at its slot
    (offset computed here from the shapes; slot contiguous: every dim before the axis is 1)."""
    life: dict[str, list[int]] = {}
    for i, node in enumerate(g.nodes):
        for name in [*node.inputs, *node.outputs]:
            if name is None or g.tensors[name].is_const or name in p.external:
                continue
            life.setdefault(name, [i, i])[1] = i
    items = [(n, p.offsets[n], g.tensors[n].nbytes, s[0], s[1]) for n, s in life.items()]
    for c in p.inplace.values():
        if c.scratch:
            idx = next(i for i, node in enumerate(g.nodes) if node.name == c.node)
            items.append((c.node + "#inplace", p.offsets[c.node + "#inplace"], c.scratch, idx, idx))
    view_of: dict[str, str] = {}            # reshape views: one storage with their source

    def source(name):
        while name in view_of:
            name = view_of[name]
        return name

    allowed = {}
    for i, node in enumerate(g.nodes):
        if node.op == "reshape" and node.inputs[0] in p.offsets and node.outputs[0] in p.offsets:
            view_of[node.outputs[0]] = node.inputs[0]
        c = p.inplace.get(node.name)
        if c is not None:
            allowed[(c.output, c.input)] = i
        if node.op == "concatenation":
            y = g.tensors[node.outputs[0]]
            axis = node.attrs["axis"]
            if any(d != 1 for d in y.shape[:axis]) or y.name not in p.offsets:
                continue
            row = y.nbytes // y.shape[axis]
            at = 0
            for name in node.inputs:
                if name in p.offsets and p.offsets[name] == p.offsets[y.name] + at * row \
                        and node.inputs.count(name) == 1:
                    allowed[(name, y.name)] = i
                at += g.tensors[name].shape[axis]
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            na, oa, sa, fa, la = items[a]
            nb, ob, sb, fb, lb = items[b]
            if la < fb or lb < fa or oa + sa <= ob or ob + sb <= oa:
                continue
            if source(na) == source(nb) and oa == ob:
                continue
            key = (na, nb) if (na, nb) in allowed else (nb, na)
            if key in allowed and (allowed[key] is None or max(fa, fb) == min(la, lb) == allowed[key]):
                continue
            raise AssertionError(f"{na} [{oa}, +{sa}) nodes {fa}..{la} overlaps {nb} [{ob}, +{sb}) nodes {fb}..{lb}")
    assert max((o + s for _, o, s, _, _ in items), default=0) <= p.arena_bytes
    assert p.bound_bytes <= p.arena_bytes
    assert max(p.live_bytes, default=0) == p.bound_bytes


def bit_exact(model: bytes, g: Graph, tmp_path: Path, samples: int = 4):
    rng = np.random.default_rng(1)
    xs = [random_inputs(g, rng) for _ in range(samples)]
    outs = run_exe(build(g, tmp_path), g, xs)
    for x, o in zip(xs, outs):
        for got, e in zip(o, run_tflm(model, x)):
            np.testing.assert_array_equal(got.reshape(e.shape), e)
    return (tmp_path / "model.c").read_text()


def c_plan(model: bytes):
    g = graph_of(model)
    plain = planner.plan(graph_of(model))
    p = memory.plan(g, **C_PLAN)
    check_plan(g, p)
    return g, plain, p


# ---- models whose concat inputs are written in their slot ----

def fc_vectors(seed=0):
    """x[1,24] -> fc a[1,40], fc b[1,24] -> concat axis 1 -> c[1,64] -> fc y[1,10]."""
    m = Model(seed)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a, b = m.fc("a", x, 40, cq), m.fc("b", x, 24, cq)
    c = m.concat("c", [a, b], 1, cq)
    return m.finish(m.fc("y", c, 10))


def conv_rows(seed=1):
    """x[1,8,8,3] -> 1x1 conv a[1,8,8,4] and 1x1 stride-(2,1) conv b[1,4,8,4] -> concat axis 1
    (H, batch 1: each slot is contiguous) -> c[1,12,8,4] -> 1x1 conv y[1,12,8,2]."""
    m = Model(seed)
    x = m.input("x", (1, 8, 8, 3))
    cq = m.quant()
    a, b = m.conv("a", x, 4, quant=cq), m.conv("b", x, 4, strides=(2, 1), quant=cq)
    c = m.concat("c", [a, b], 1, cq)
    return m.finish(m.conv("y", c, 2))


def nested(seed=2):
    """fc a[1,40], b[1,24] -> c1[1,64]; fc d[1,32]; concat(c1, d) -> c2[1,96] -> fc y[1,10]."""
    m = Model(seed)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a, b = m.fc("a", x, 40, cq), m.fc("b", x, 24, cq)
    c1 = m.concat("c1", [a, b], 1, cq)
    d = m.fc("d", x, 32, cq)
    c2 = m.concat("c2", [c1, d], 1, cq)
    return m.finish(m.fc("y", c2, 10))


def test_fc_vectors_write_into_the_concat(tmp_path):
    model = fc_vectors()
    g, plain, p = c_plan(model)
    # copying: a (40 -> 48 aligned), b (24 -> 32) and c (64) all alive at the concat
    assert plain.arena_bytes == align(40) + align(24) + align(64) == 144
    # in their slots: c's 64 bytes from a's producer to y's, nothing else in the arena
    assert p.arena_bytes == 64 and p.plain_bytes == 144
    assert set(p.slices) == {"a", "b"}
    assert p.offsets["a"] == p.offsets["c"] and p.offsets["b"] == p.offsets["c"] + 40
    src = bit_exact(model, g, tmp_path)
    assert "2 of 2 input(s) written in their slot" in src and "tinycc_copy_box(&" not in src


def test_conv_rows_write_into_the_concat(tmp_path):
    model = conv_rows()
    g, plain, p = c_plan(model)
    a, b, c = 8 * 8 * 4, 4 * 8 * 4, 12 * 8 * 4          # 256, 128, 384
    assert plain.arena_bytes == a + b + c == 768
    assert p.arena_bytes == c == 384
    assert p.offsets["b"] == p.offsets["c"] + a
    src = bit_exact(model, g, tmp_path)
    assert "tinycc_copy_box(&" not in src


def test_nested_concats_compose(tmp_path):
    model = nested()
    g, plain, p = c_plan(model)
    assert set(p.slices) == {"a", "b", "c1", "d"}
    assert p.offsets["c1"] == p.offsets["c2"] and p.offsets["d"] == p.offsets["c2"] + 64
    assert p.offsets["b"] == p.offsets["c2"] + 40
    # the whole tree is c2's 96 bytes; copying, c1 (64) + d (32) + c2 (96) meet at the outer concat
    assert p.arena_bytes == 96
    assert plain.arena_bytes == align(64) + align(32) + align(96) == 192
    src = bit_exact(model, g, tmp_path)
    assert "tinycc_copy_box(&" not in src


def in_place_rows(seed=3):
    """x[1,8,8,4] -> 1x1 conv t -> 3x3 'same' conv a (in place over t) ; 1x1 stride-(2,1) conv
    b[1,4,8,4] -> concat(a, b) axis 1 -> c[1,12,8,4] -> 1x1 conv y."""
    m = Model(seed)
    x = m.input("x", (1, 8, 8, 4))
    cq = m.quant()
    t = m.conv("t", x, 4)
    a = m.conv("a", t, 4, kernel=(3, 3), pads=(1, 1, 1, 1), quant=cq)
    b = m.conv("b", x, 4, strides=(2, 1), quant=cq)
    c = m.concat("c", [a, b], 1, cq)
    return m.finish(m.conv("y", c, 2))


def in_place_odd(seed=13):
    """The in-place conv's slot at an odd offset: b[1,1,5,3] (15 bytes) first, then a[1,8,5,3]
    computed in place over t: concat(b, a) axis 1 -> c[1,9,5,3]."""
    m = Model(seed)
    x = m.input("x", (1, 8, 5, 3))
    cq = m.quant()
    b = m.conv("b", x, 3, strides=(8, 1), quant=cq)
    t = m.conv("t", x, 3)
    a = m.conv("a", t, 3, kernel=(3, 3), pads=(1, 1, 1, 1), quant=cq)
    c = m.concat("c", [b, a], 1, cq)
    return m.finish(m.conv("y", c, 2))


def test_in_place_producer_at_an_odd_offset(tmp_path):
    model = in_place_odd()
    g, plain, p = c_plan(model)
    assert any(c.output == "a" for c in p.inplace.values()) and set(p.slices) == {"a", "b"}
    assert p.offsets["t"] == p.offsets["a"] == p.offsets["c"] + 15
    src = bit_exact(model, g, tmp_path)
    assert "_inplace(&" in src and "tinycc_copy_box(&" not in src


def test_in_place_producer_writes_into_its_slot(tmp_path):
    """a 3x3 'same' conv computed in place over its input (a ring of rows) is a concat operand:
    the pair's shared buffer is the slot itself."""
    model = in_place_rows()
    g, plain, p = c_plan(model)
    pair = next(c for c in p.inplace.values() if c.output == "a")
    assert pair.input == "t" and set(p.slices) == {"a", "b"}
    assert p.offsets["t"] == p.offsets["a"] == p.offsets["c"]
    ring = pair.scratch
    # c (384) holds t, a and b; plus the ring while `a` runs (copying: t 256 + ring, then a, b, c)
    assert p.arena_bytes == 384 + align(ring)
    assert plain.arena_bytes == 256 + 128 + 384
    src = bit_exact(model, g, tmp_path)
    assert "_inplace(&" in src and "tinycc_copy_box(&" not in src


def test_reshaped_producer_writes_into_its_slot(tmp_path):
    """conv [1,1,1,24] -> reshape [1,24] -> concat: the view and its source go into the slot."""
    m = Model(4)
    x = m.input("x", (1, 3, 3, 5))
    cq = m.quant()
    v = m.conv("v", x, 24, kernel=(3, 3), quant=cq)
    r = m.reshape("r", v, (1, 24))
    b = m.fc("b", m.reshape("xf", x, (1, 45)), 40, cq)
    c = m.concat("c", [r, b], 1, cq)
    model = m.finish(m.fc("y", c, 6))
    g, plain, p = c_plan(model)
    assert set(p.slices) == {"r", "b"} and p.offsets["v"] == p.offsets["c"]
    # copying: r (= v, 24 -> 32), b (40 -> 48) and c (64) at the concat; in the slots: c (64),
    # plus the copy of the model input x flattened (45 -> 48) for b, alive while c is reserved
    assert plain.arena_bytes == 32 + 48 + 64 and p.arena_bytes == 64 + 48
    bit_exact(model, g, tmp_path)


def random_tree(seed: int) -> bytes:
    """Fully connected vectors concatenated in random trees: operands used once or also later,
    taken twice, viewed through a reshape, model inputs among them, some concat outputs also
    model outputs."""
    m = Model(seed)
    rng = m.rng
    x = m.input("x", (1, 16))
    cq = m.tensors[x].quant
    pool = [m.fc(f"f{k}", x, int(rng.integers(1, 40)), cq) for k in range(int(rng.integers(2, 6)))]
    if rng.random() < 0.3:
        pool.append(x)
    outputs = []
    for k in range(int(rng.integers(1, 5))):
        if len(pool) < 2 and rng.random() < 0.5:
            pool.append(m.fc(f"g{k}", x, int(rng.integers(1, 40)), cq))
        take = [pool[int(i)] for i in rng.choice(len(pool), size=min(len(pool), int(rng.integers(2, 4))),
                                                 replace=False)]
        if rng.random() < 0.2:
            take.append(take[0])                                   # the same operand twice
        if rng.random() < 0.3:
            v = m.reshape(f"v{k}", take[-1], m.tensors[take[-1]].shape)
            take[-1] = v
        c = m.concat(f"c{k}", take, 1, cq)
        for t in take:
            if t in pool and rng.random() < 0.8:                   # else: used again later
                pool.remove(t)
        pool.append(c)
        if rng.random() < 0.2:
            outputs.append(c)                                     # a concat output the model returns
    last = pool[0] if len(pool) == 1 else m.concat("last", pool, 1, cq)
    return m.finish(m.fc("y", last, 7), *[o for o in outputs if o != last])


@pytest.mark.parametrize("seed", range(8))
def test_random_concat_trees_equal_tflm(seed, tmp_path):
    model = random_tree(100 + seed)
    g, plain, p = c_plan(model)
    assert p.arena_bytes <= plain.arena_bytes
    for name, s in p.slices.items():
        assert name not in g.inputs and name not in g.outputs and s.output not in g.outputs
    bit_exact(model, g, tmp_path, samples=2)


# ---- concats that keep their copies ----

def test_requantised_input_is_copied_by_its_quantize_not_aliased(tmp_path):
    """An operand quantised differently goes through a QUANTIZE (TFLM's concat never rescales):
    the QUANTIZE's output is in the slot, the differently quantised tensor is not."""
    m = Model(5)
    x = m.input("x", (1, 24))
    cq = m.quant(0.05, 4)
    a = m.fc("a", x, 40, cq)
    b0 = m.fc("b0", x, 24, m.quant(0.11, -7))
    b = m.requantize("b", b0, cq)
    c = m.concat("c", [a, b], 1, cq)
    model = m.finish(m.fc("y", c, 10))
    g, plain, p = c_plan(model)
    assert set(p.slices) == {"a", "b"} and "b0" not in p.slices
    bit_exact(model, g, tmp_path)


def test_different_quantisation_is_never_aliased():
    """The planner-side guard itself: an operand whose scale or zero point differs from the
    output's (no valid model has one; core/ops/concatenation.py rejects it) gets no slot."""
    g = graph_of(fc_vectors())
    assert {s.input for s in concat_alias.candidates(g)} == {"a", "b"}
    g.tensors["b"].quant = q(g.tensors["c"].quant.s * 2, g.tensors["c"].quant.zp)
    assert {s.input for s in concat_alias.candidates(g)} == {"a"}
    g.tensors["b"].quant = q(g.tensors["c"].quant.s, g.tensors["c"].quant.zp + 1)
    assert {s.input for s in concat_alias.candidates(g)} == {"a"}
    g.tensors["b"].quant = None
    assert {s.input for s in concat_alias.candidates(g)} == {"a"}
    p = memory.plan(g, **C_PLAN)
    assert set(p.slices) == {"a"}
    check_plan(g, p)


def test_channel_axis_of_maps_is_copied(tmp_path):
    """axis 3 of [1,4,4,C] maps interleaves the inputs row by row: not contiguous, copied."""
    m = Model(6)
    x = m.input("x", (1, 4, 4, 3))
    cq = m.quant()
    a, b = m.conv("a", x, 3, quant=cq), m.conv("b", x, 5, quant=cq)
    c = m.concat("c", [a, b], 3, cq)
    model = m.finish(m.conv("y", c, 2))
    g, plain, p = c_plan(model)
    assert not p.slices and not concat_alias.candidates(g)
    assert p.arena_bytes == plain.arena_bytes == 48 + 80 + 128
    src = bit_exact(model, g, tmp_path)
    assert src.count("tinycc_copy_box(&") == 2


def test_channel_axis_of_vectors_is_aliased(tmp_path):
    """axis 3 with N=H=W=1 is contiguous."""
    m = Model(7)
    x = m.input("x", (1, 3, 3, 4))
    cq = m.quant()
    a, b = m.conv("a", x, 20, kernel=(3, 3), quant=cq), m.conv("b", x, 12, kernel=(3, 3), quant=cq)
    c = m.concat("c", [a, b], 3, cq)
    model = m.finish(m.conv("y", c, 2))
    g, plain, p = c_plan(model)
    assert set(p.slices) == {"a", "b"} and p.offsets["b"] == p.offsets["c"] + 20
    assert plain.arena_bytes == align(20) + align(12) + align(32) == 80 and p.arena_bytes == 32
    bit_exact(model, g, tmp_path)


def test_input_used_elsewhere_is_copied(tmp_path):
    m = Model(8)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a, b = m.fc("a", x, 40, cq), m.fc("b", x, 24, cq)
    c = m.concat("c", [a, b], 1, cq)
    model = m.finish(m.fc("y", c, 10), m.fc("z", a, 6))
    g, plain, p = c_plan(model)
    assert "a" not in p.slices and set(p.slices) <= {"b"}
    src = bit_exact(model, g, tmp_path)
    assert src.count("tinycc_copy_box(&") == 2 - len(p.slices)


def test_model_input_is_copied(tmp_path):
    m = Model(9)
    x = m.input("x", (1, 24))
    cq = m.tensors[x].quant
    a = m.fc("a", x, 40, cq)
    c = m.concat("c", [x, a], 1, cq)
    model = m.finish(m.fc("y", c, 10))
    g, plain, p = c_plan(model)
    assert "x" not in p.slices and set(p.slices) == {"a"}
    assert p.offsets["a"] == p.offsets["c"] + 24
    # c (64) from a's producer on; copying, a (48) and c (64) meet at the concat
    assert plain.arena_bytes == 48 + 64 and p.arena_bytes == 64
    src = bit_exact(model, g, tmp_path)
    assert src.count("tinycc_copy_box(&") == 1 and "1 of 2 input(s)" in src


def test_same_tensor_twice_is_copied(tmp_path):
    m = Model(10)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a = m.fc("a", x, 40, cq)
    c = m.concat("c", [a, a], 1, cq)
    model = m.finish(m.fc("y", c, 10))
    g, plain, p = c_plan(model)
    assert not p.slices and p.arena_bytes == plain.arena_bytes == 48 + 80
    src = bit_exact(model, g, tmp_path)
    assert src.count("tinycc_copy_box(&") == 2


def test_two_views_of_one_tensor_are_copied():
    m = Model(11)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a = m.fc("a", x, 40, cq)
    c = m.concat("c", [m.reshape("r1", a, (1, 40)), m.reshape("r2", a, (1, 40))], 1, cq)
    g = graph_of(m.finish(m.fc("y", c, 10)))
    p = memory.plan(g, **C_PLAN)
    assert not p.slices
    check_plan(g, p)


def test_concat_output_as_model_output_is_copied(tmp_path):
    m = Model(12)
    x = m.input("x", (1, 24))
    cq = m.quant()
    a, b = m.fc("a", x, 40, cq), m.fc("b", x, 24, cq)
    model = m.finish(m.concat("c", [a, b], 1, cq))
    g, plain, p = c_plan(model)
    assert not p.slices and not concat_alias.candidates(g)
    assert p.arena_bytes == plain.arena_bytes == 48 + 32
    src = bit_exact(model, g, tmp_path)
    assert src.count("tinycc_copy_box(&") == 2


# ---- other backends, reports ----

def test_other_backends_plan_copies():
    from tinycc.core.plugins import registry
    assert registry().get("backend", "c").plan_options["concat_alias"]
    for name in ("tflm", "cmsis-nn", "microtvm", "stm32cubeai"):
        try:
            be = registry().get("backend", name)
        except Exception:
            continue
        assert not getattr(be, "plan_options", {}).get("concat_alias"), name
    g = graph_of(fc_vectors())
    assert not planner.plan(g).slices and not planner.plan(g, io_in_arena=True).slices
    assert not memory.plan(g, inplace=True, schedule=True).slices


def test_cmsis_nn_and_tflm_outputs_still_copy(tmp_path):
    from tinycc.driver import compile_model
    model = fc_vectors()
    (tmp_path / "m.tflite").write_bytes(model)
    rep = compile_model(tmp_path / "m.tflite", "cmsis-nn", tmp_path / "cmsis")
    assert rep["arena_bytes"] == 144
    assert (tmp_path / "cmsis" / "model.c").read_text().count("tinycc_copy_box(&") == 2
    rep = compile_model(tmp_path / "m.tflite", "c", tmp_path / "c")
    assert rep["arena_bytes"] == 64 and rep["bound_bytes"] == 64


def test_inspect_reports_the_slots(tmp_path):
    from tinycc.driver import inspect_model
    info = inspect_model(graph_of(nested()))
    assert info["arena_bytes"] == info["bound_bytes"] == 96 and info["concat_slices"] == 4
    assert info["plain_bytes"] >= 192
    assert max(layer["live_arena_bytes"] for layer in info["layers"]) == 96


@pytest.mark.parametrize("make", [conv_rows, nested, in_place_rows, in_place_odd, lambda: random_tree(105)],
                         ids=["conv_rows", "nested", "in_place_rows", "in_place_odd", "random_tree"])
def test_sanitizers_and_canary(make, tmp_path, monkeypatch):
    """ASan + UBSan with the arena canary on: no producer writes past its slot or the arena."""
    if shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no host C compiler")
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0:halt_on_error=1")
    model = make()
    g = graph_of(model)
    exe = build(g, tmp_path, ["-g", "-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                              "-DTINYCC_ARENA_CANARY"])
    rng = np.random.default_rng(2)
    xs = [random_inputs(g, rng) for _ in range(2)]
    for x, o in zip(xs, run_exe(exe, g, xs)):
        for got, e in zip(o, run_tflm(model, x)):
            np.testing.assert_array_equal(got.reshape(e.shape), e)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason="the Cortex-M toolchain and QEMU are not installed")
@pytest.mark.parametrize("make", [conv_rows, in_place_odd, lambda: random_tree(105)],
                         ids=["conv_rows", "in_place_odd", "random_tree"])
def test_on_qemu_cortex_m4_equals_tflm(make, tmp_path):
    """The DSP branches of the kernels writing into (and, in place, reading from) slots at any
    offset on an emulated Cortex-M4 (QEMU mps2-an386)."""
    model = make()
    g = graph_of(model)
    write_sources(g, tmp_path)
    assert memory.plan(graph_of(model), **C_PLAN).slices
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 2)
