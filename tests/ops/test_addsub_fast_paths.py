"""The fast int8 ADD / SUB kernel (backends/c/kernels/optimised/addsub_s8_fast.h, emitter
backends/c/ops/_addsub_fast.py) against TF Lite Micro, byte for byte: its SMMLAR form of each
rescaling reproduces MultiplyByQuantizedMultiplierSmallerThanOneExp for every int8 input of every
case (in Python, the kernel's formula over all 256 values), and whole models give TFLM's bytes on
the host (portable C, sanitized) and under QEMU Cortex-M4 (SMMLAR, SSAT).

Cases: the larger scale on either input (ADD swaps it second), equal scales (both exact halves),
SUB with the exact half first and second, activations none / relu / relu6 (the clamp loops), zero
points at both ends of int8, element counts 1..7 (every tail of the four-element pass) and a 2x8x8x5
tensor, and same-size inputs of another rank; a true broadcast keeps the reference kernel."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.fast_paths import assert_qemu_m4_fast_path, invoke_source, needs_qemu
from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, q, single_op
from tinycc.backends.c.ops import _addsub_fast
from tinycc.core import fixedpoint as fp

# name: (op, a shape, b shape, (scale, zp) a, b, out, activation)
CASES = {
    "add-b-larger": ("add", (1, 8, 8, 5), (1, 8, 8, 5), (0.03, -128), (0.05, 4), (0.06, -128), "relu"),
    "add-a-larger": ("add", (2, 8, 8, 5), (2, 8, 8, 5), (0.08, 17), (0.02, -3), (0.07, 5), "none"),
    "add-equal-scales": ("add", (1, 6, 7), (1, 6, 7), (0.04, 127), (0.04, -128), (0.05, 0), "none"),
    "add-relu6": ("add", (3, 5), (3, 5), (0.05, 10), (0.031, -20), (0.03, -100), "relu6"),
    "sub-a-larger": ("sub", (1, 9, 7), (1, 9, 7), (0.09, -5), (0.03, 40), (0.1, 3), "none"),
    "sub-b-larger": ("sub", (4, 11), (4, 11), (0.01, 0), (0.06, -77), (0.05, 127), "relu"),
    **{f"add-n{n}": ("add", (n,), (n,), (0.02, -9), (0.025, 8), (0.03, 2), "none") for n in range(1, 8)},
}
QEMU_CASES = ["add-b-larger", "add-a-larger", "add-equal-scales", "add-relu6", "sub-a-larger", "sub-b-larger",
              "add-n3", "add-n5"]


def _model(op, sa, sb, qa, qb, qo, activation) -> bytes:
    return single_op(op, [act("a", sa, "int8", q(*qa)), act("b", sb, "int8", q(*qb))], act("y", (), "int8", q(*qo)),
                     {"activation": activation})


def _params(name):
    from tinycc.core.ops import add
    from tinycc.plugins.importers.tflite import load_tflite
    g = load_tflite(Path("t.tflite"), _model(*CASES[name]))
    node = g.nodes[0]
    return node, {"dtype": "int8", **add.scale_params(node, g)}


def _smmlar(a, b, acc):
    return acc + ((a.astype(np.int64) * b + (1 << 31)) >> 32)


def _kernel_input(x, k, z, m, r, e, marked_exact):
    v = x * k + z
    return v if marked_exact else (_smmlar(v, m, r) + (v >> 31)) >> e


@pytest.mark.parametrize("name", sorted(CASES))
def test_smmlar_form_equals_tflm_rescaling_for_every_int8_input(name):
    """The kernel's constants, run through its formula in int64 numpy, against TFLM's arithmetic
    (core/fixedpoint.py) for all 256 x 256 input pairs (intermediates checked to fit int32)."""
    node, p = _params(name)
    sign = 1 if node.op == "add" else -1
    swap = node.op == "add" and (p["input1_multiplier"], p["input1_shift"]) == (1 << 30, 0)
    values = _addsub_fast.fast_params(p, sign, swap)
    assert values is not None
    first, second = (values[0:5], values[5:10])
    mo, ho, eo, lo, hi = values[11:]
    xs = np.arange(-128, 128, dtype=np.int64)
    a, b = np.meshgrid(xs, xs, indexing="ij")
    x1 = _kernel_input(a, *first, False)
    x2 = _kernel_input(b, *second, second[2] == 0)
    raw = x1 + sign * x2
    y = np.clip((_smmlar(2 * raw, mo, ho) + (raw >> 31)) >> eo, max(lo, -128), min(hi, 127))
    for t in (a * first[0] + first[1], b * second[0] + second[1], x1, x2, 2 * raw, _smmlar(2 * raw, mo, ho)):
        assert np.all(np.abs(t) < 1 << 31)
    # TFLM: input (x - zp) << 20 through each rescaling, the sum through the output's, + zp, clamped
    ta, tb = (b, a) if swap else (a, b)
    s1 = fp.multiply_by_quantized_multiplier((ta - p["input1_zp"]) << 20, p["input1_multiplier"], p["input1_shift"])
    s2 = fp.multiply_by_quantized_multiplier((tb - p["input2_zp"]) << 20, p["input2_multiplier"], p["input2_shift"])
    want = fp.multiply_by_quantized_multiplier(s1 + sign * s2, p["output_multiplier"], p["output_shift"])
    want = np.clip(want + p["output_zp"], p["act_min"], p["act_max"])
    np.testing.assert_array_equal(y, want)


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_fast_path_equals_tflm(name, tmp_path):
    data = _model(*CASES[name])
    src = invoke_source(data, tmp_path)
    assert "tinycc_addsub_s8(" not in src and "tinycc_addsub_s8_fast(" in (tmp_path / "model.c").read_text()
    assert_matches_tflm(data, samples=3, seed=5, c=True, sanitize=True)


def test_extreme_inputs_equal_tflm():
    """Every pair of int8 extremes and zero points: the largest sums of both signs."""
    data = _model(*CASES["sub-b-larger"])
    for fa, fb in ((-128, 127), (127, -128), (-128, -128), (127, 127), (0, -77)):
        assert_matches_tflm(data, c=True, inputs=[np.full((4, 11), fa, np.int8), np.full((4, 11), fb, np.int8)])


@pytest.mark.parametrize("sb", [(1, 3, 1), (3, 4)], ids=["broadcast", "other-rank"])
def test_broadcast_keeps_the_reference_kernel(sb, tmp_path):
    data = _model("add", (1, 3, 4), sb, (0.03, 1), (0.05, 2), (0.06, 3), "none")
    src = invoke_source(data, tmp_path)
    assert "tinycc_addsub_s8(" in src and "tinycc_addsub_s8_fast" not in (tmp_path / "model.c").read_text()
    assert_matches_tflm(data, samples=2, seed=1, c=True)


@needs_qemu
@pytest.mark.parametrize("name", QEMU_CASES)
def test_qemu_cortex_m4_fast_path_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(_model(*CASES[name]), tmp_path, "tinycc_addsub_s8_fast(", 3)


def _graph_bytes(tensors, nodes, inputs, outputs) -> bytes:
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph
    from tinycc.core.validate import validate
    return write_tflite(validate(Graph("adds", tensors, nodes, inputs, outputs, source="<adds>")))


def _chain(shape, layers) -> bytes:
    """Inputs a, b; each layer (op, (scale, zp) of its output, activation) takes the previous result and b."""
    from tinycc.core.graph import Node
    tensors = {"a": act("a", shape, "int8", q(0.03, -7)), "b": act("b", shape, "int8", q(0.05, 4))}
    nodes, src = [], "a"
    for i, (op, quant, activation) in enumerate(layers):
        out = f"y{i}"
        tensors[out] = act(out, (), "int8", q(*quant))
        nodes.append(Node(f"{op}{i}", op, [src, "b"], [out], {"activation": activation}))
        src = out
    return _graph_bytes(tensors, nodes, ["a", "b"], [src])


def _pairs(shapes) -> bytes:
    """Independent ADDs y_i = a_i + b_i of the given shapes (each its own scales): counts that differ."""
    from tinycc.core.graph import Node
    tensors, nodes = {}, []
    for i, shape in enumerate(shapes):
        tensors.update({f"a{i}": act(f"a{i}", shape, "int8", q(0.03 + 0.01 * i, -7 + i)),
                        f"b{i}": act(f"b{i}", shape, "int8", q(0.05, 4)),
                        f"y{i}": act(f"y{i}", (), "int8", q(0.06 + 0.02 * i, 3 - i))})
        nodes.append(Node(f"add{i}", "add", [f"a{i}", f"b{i}"], [f"y{i}"], {"activation": "none"}))
    return _graph_bytes(tensors, nodes, [f"{k}{i}" for i in range(len(shapes)) for k in "ab"],
                        [f"y{i}" for i in range(len(shapes))])


# name: (model, functions made, per-layer arrays, count passed as passes of 4 from the array). Constants
# differing between layers of one loop shape come from each layer's array; a relu with the output's zero
# point at -128 clamps nothing (the loop of "none"); the SUB with a clamping relu (act_min 5) and the exact
# half first takes another loop: a function of its own, every constant folded in (no array); element counts
# that differ come from the arrays: as counts of 4-element passes when all are multiples of 4, else whole
# (the kernel's 1..3 element head kept)
CHAINS = {
    "three-adds-one-function": (lambda: _chain((1, 8, 8, 5), [("add", (0.06, -128), "none"),
                                                              ("add", (0.09, 3), "none"),
                                                              ("add", (0.12, 20), "none")]), 1, 3, False),
    "clamping-sub-its-own-function": (lambda: _chain((1, 8, 8, 5), [("add", (0.06, -128), "none"),
                                                                    ("add", (0.09, -128), "relu"),
                                                                    ("sub", (0.1, 5), "relu"),
                                                                    ("add", (0.07, 1), "none")]), 2, 3, False),
    "counts-of-four-passes": (lambda: _pairs([(1, 8, 8, 5), (1, 4, 4, 5), (12,)]), 1, 3, True),
    "odd-counts": (lambda: _pairs([(5, 7), (3, 7)]), 1, 2, False),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_layers_share_one_function_and_equal_tflm(name, tmp_path):
    build, functions, arrays, passes = CHAINS[name]
    data = build()
    invoke_source(data, tmp_path)
    text = (tmp_path / "model.c").read_text()
    made = re.findall(r"^static void (\w+_addsub_\w+)\(", text, re.M)
    assert len(made) == functions and text.count("tinycc_addsub_s8_fast(") == functions + 1   # + its definition
    assert len(re.findall(r"^static const int32_t \w+_addv_\w+\[", text, re.M)) == arrays
    assert ("tinycc_addsub_s8_fast(4 * v[" in text) == passes
    assert_matches_tflm(data, samples=3, seed=2, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("name", sorted(CHAINS))
def test_qemu_cortex_m4_shared_function_equals_tflm(name, tmp_path):
    assert_qemu_m4_fast_path(CHAINS[name][0](), tmp_path, "_addsub_", 3)
