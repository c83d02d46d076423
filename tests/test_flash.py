"""What the c backend stores in flash (issue 19): no weight array twice, and `--optimize size` (the
reference kernels only: the least flash) giving the same output bytes as the default `--optimize speed`
and TF Lite Micro.

The flash breakdown itself (weights, other constants, code per kernel variant, linked for a
Cortex-M4) is benchmarks/flash_breakdown.py."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, CFLAGS
from tests.fast_paths import needs_qemu, write_model_c
from tests.ops.cases import conv_2d, depthwise_conv_2d, fully_connected
from tests.ops.check import random_inputs
from tests.tflm import models_dir, run_tflm
from tinycc.core import ops
from tinycc.driver import compile_model
from tinycc.plugins.importers.tflite import load_tflite
from tinycc.plugins.runtimes.c_host import HARNESS, run_exe

KWS = "mlperf_tiny/kws_ref_model.tflite"
FAST_CALLS = re.compile(r"\btinycc_(conv_2d_s8_(cols|fast)|depthwise_conv_2d_s8_(wrow|fast)|fully_connected_s8_w4)"
                        r"\w*\(")
ARRAY = re.compile(r"/\* (.*?) \*/\s*\nconst (\w+) (\w+)\[(\d+)\]")


def _compile_and_run(path: Path, optimize: str, tmp: Path, samples) -> tuple[list, str, dict]:
    """(outputs per sample on the host, NAME_invoke's body, the compile report) of the c backend's output."""
    out = tmp / optimize
    report = compile_model(path, "c", out, options={"optimize": optimize})
    exe = out / "model_test"
    proc = subprocess.run([CC, *CFLAGS, "-I", str(out), str(out / "model.c"), str(out / "model_weights.c"),
                           str(HARNESS), "-o", str(exe), "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    invoke = (out / "model.c").read_text().split("int model_invoke(")[-1]       # the calls, not the kernels
    return run_exe(exe, load_tflite(path), samples), invoke, report


def _assert_size_equals_speed_and_tflm(path: Path, tmp: Path, n: int = 2):
    g = load_tflite(path)
    rng = np.random.default_rng(7)
    samples = [random_inputs(g, rng) for _ in range(n)]
    speed, speed_c, _ = _compile_and_run(path, "speed", tmp, samples)
    size, size_c, _ = _compile_and_run(path, "size", tmp, samples)
    assert not FAST_CALLS.search(size_c), "--optimize size called a fast kernel variant"
    for k, xs in enumerate(samples):
        expected = run_tflm(path.read_bytes(), xs)
        for j, want in enumerate(expected):
            assert speed[k][j].tobytes() == np.asarray(want).tobytes(), f"speed, sample {k}, output {j}"
            assert size[k][j].tobytes() == speed[k][j].tobytes(), f"size vs speed, sample {k}, output {j}"
    return speed_c


@pytest.mark.parametrize("case", [conv_2d, depthwise_conv_2d, fully_connected], ids=lambda c: c.__name__.split(".")[-1])
def test_optimize_size_outputs_equal_speed_and_tflm(case, tmp_path, monkeypatch):
    """Random int8 single-op models: both choices byte for byte equal TF Lite Micro (and each other); the
    fast fully connected kernel forced on the small layers (fully_connected.W4_MIN_MACS)."""
    from tinycc.backends.c.ops import fully_connected as fc_emitter
    monkeypatch.setattr(fc_emitter, "W4_MIN_MACS", 0)
    fast_seen = False
    for seed in range(4):
        path = tmp_path / f"m{seed}.tflite"
        path.write_bytes(case.build(np.random.default_rng(seed), "int8"))
        speed_c = _assert_size_equals_speed_and_tflm(path, tmp_path / f"s{seed}")
        fast_seen |= bool(FAST_CALLS.search(speed_c))
    assert fast_seen, "no case took a fast variant under --optimize speed: the comparison proves nothing"


def _kws() -> Path:
    path = models_dir() / KWS
    if not path.exists():
        pytest.skip(f"{KWS} absent from {models_dir()} (set TINYCC_MODELS to the shared models)")
    return path


def test_kws_optimize_size_equals_speed_and_tflm(tmp_path):
    speed_c = _assert_size_equals_speed_and_tflm(_kws(), tmp_path)
    assert FAST_CALLS.search(speed_c)


STRUCT = re.compile(r"^static const (tinycc_\w+_shape) (\w+) = (\{.*\});$", re.M)


def test_kws_layers_of_one_shape_share_one_shape_struct(tmp_path):
    """KWS's four depthwise 3x3 layers and four 1x1 layers have one shape each: model.c stores one struct
    per distinct (type, values) - 2 conv shapes (the first 10x4 conv and the 1x1), 1 depthwise, 2 ring
    shapes (3-row and 1-row windows), 1 pool - and the calls share them (the outputs stay TFLM's:
    test_kws_optimize_size_equals_speed_and_tflm)."""
    compile_model(_kws(), "c", tmp_path / "out", options={"optimize": "speed"})
    text = (tmp_path / "out" / "model.c").read_text()
    structs = STRUCT.findall(text)
    kinds = [t for t, _, _ in structs]
    assert len({(t, v) for t, _, v in structs}) == len(structs)                  # no struct twice
    assert {k: kinds.count(k) for k in set(kinds)} == {"tinycc_conv_shape": 2, "tinycc_dw_shape": 1,
                                                       "tinycc_ring_shape": 2, "tinycc_pool_shape": 1}
    invoke = text.split("int model_invoke(")[-1]
    dw, = (name for t, name, _ in structs if t == "tinycc_dw_shape")
    assert invoke.count(f"&{dw},") == 4


def _arrays(folder: Path) -> list[tuple[str, str, int]]:
    """(comment, C type, element count) of every const array of NAME_weights.c."""
    return [(c, t, int(n)) for c, t, _, n in ARRAY.findall((folder / "model_weights.c").read_text())]


@pytest.mark.parametrize("optimize", ["speed", "size"])
def test_kws_stores_each_weight_tensor_once(optimize, tmp_path):
    """Every constant tensor of the model is held by at most one flash array (its own layout or the
    layout the kernel reads, never both), whatever the choice."""
    path = _kws()
    g = load_tflite(path)
    compile_model(path, "c", tmp_path / "out", options={"optimize": optimize})
    arrays = _arrays(tmp_path / "out")
    for name, t in g.tensors.items():
        if t.data is None or t.size < 16:
            continue
        holders = [c for c, _, _ in arrays if c.startswith(f"{name} ")]
        assert len(holders) <= 1, f"{name} stored {len(holders)} times: {holders}"


def test_kws_size_constants_are_the_weights_and_requantisation_pairs(tmp_path):
    """--optimize size: the flash arrays are the model's weights, one (multiplier, shift) pair per output
    channel (per layer for per-tensor layers): an int32 multiplier and an int8 shift, or where that is
    exact one int32 word with the shift in its low bits (8 of KWS's 9 per-channel layers: 512 channels);
    the int8 softmax computes its exp (no table): nothing re-laid, nothing twice."""
    path = _kws()
    g = load_tflite(path)
    report = compile_model(path, "c", tmp_path / "out", options={"optimize": "size"})
    used = {i for n in g.nodes for i in n.inputs if i}
    weights = sum(t.nbytes for name, t in g.tensors.items() if t.data is not None and name in used)
    pairs = sum(np.asarray(ops.require(n.op).prepare(n, g)["multiplier"]).size for n in g.nodes
                if n.op in ("conv_2d", "depthwise_conv_2d", "fully_connected"))
    packed = sum(n for c, _, n in _arrays(tmp_path / "out") if c.startswith("multipliers with their right shift"))
    assert packed == 512
    assert report["flash_weights_bytes"] == weights + 5 * pairs - packed
    # the speed choice re-lays filters and folds biases: more flash, never less than the weights
    speed = compile_model(path, "c", tmp_path / "speed", options={"optimize": "speed"})
    assert speed["flash_weights_bytes"] > report["flash_weights_bytes"]


@pytest.mark.parametrize("scale, out", [(0.1, "int8"), (0.0625, "int16"), (0.001, "int8")])
def test_softmax_stores_no_exp_table(scale, out, tmp_path):
    """The int8 softmax computes exp(-d) in C (tests/ops/test_softmax_exp.py checks every value): no
    flash array at all; the outputs stay TF Lite Micro's on rows whose differences span the whole int8
    range, whether diff_min cuts them (scale 0.1, 0.0625) or not (0.001)."""
    from tests.tflite_builder import act, q, single_op
    y = act("y", (), out, q(1 / 256, -128) if out == "int8" else q(1 / 65536, -32768))
    path = tmp_path / "softmax.tflite"
    path.write_bytes(single_op("softmax", [act("x", (4, 40), "int8", q(scale, 3))], y, {"beta": 1.0}))
    g = load_tflite(path)
    diff_min = ops.require("softmax").prepare(g.nodes[0], g)["diff_min"]
    rows = np.random.default_rng(1).integers(-128, 128, (4, 40), endpoint=True).astype(np.int8)
    rows[:, 0], rows[:, 1] = -128, 127                # every row has the largest difference, -255
    samples = [[rows]]
    got, _, report = _compile_and_run(path, "speed", tmp_path, samples)
    np.testing.assert_array_equal(got[0][0], run_tflm(path.read_bytes(), samples[0])[0].reshape(got[0][0].shape))
    assert _arrays(tmp_path / "speed") == [] and report["flash_weights_bytes"] == 0
    assert (diff_min > -255) == (scale >= 0.0625), f"diff_min {diff_min}"


def _two_depthwise(kernels) -> bytes:
    """x -> depthwise `kernels[0]` -> depthwise `kernels[1]` -> y (int8, 8 channels, SAME padding)."""
    from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
    from tests.tflite_builder import act, q
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    rng = np.random.default_rng(3)
    tensors = {"x": act("x", (1, 7, 9, 8), "int8", q(0.02, -5))}
    nodes, scale, src = [], 0.02, "x"
    for i, kernel in enumerate(kernels):
        w, b, w_mean = _quant_w(rng, (1, *kernel, 8), 3, True, scale)
        w.name, b.name = f"w{i}", f"b{i}"
        out = f"y{i}"
        scale_out = _out_scale(scale, w_mean, kernel[0] * kernel[1])
        tensors.update({w.name: w, b.name: b, out: act(out, (), "int8", q(scale_out, int(rng.integers(-20, 20))))})
        nodes.append(Node(f"dw{i}", "depthwise_conv_2d", [src, w.name, b.name], [out],
                          {"strides": (1, 1), "dilations": (1, 1), "activation": "none", "depth_multiplier": 1,
                           "pads": _pads((7, 9), kernel, (1, 1), True)}))
        src, scale = out, scale_out
    return write_tflite(validate(Graph("two_dw", tensors, nodes, ["x"], [src], source="<two dw>")))


@pytest.mark.parametrize("kernels, only_pf", [([(3, 3), (3, 3)], 1), ([(3, 3), (5, 2)], 0), ([(5, 2), (3, 3)], 0)])
def test_depthwise_generic_paths_compile_out_only_when_no_node_needs_them(kernels, only_pf, tmp_path):
    """The fast depthwise row routine's generic paths (no packed 3x3 filter) are compiled out
    (TINYCC_DW_ONLY_PF 1) only when every fast depthwise node of the model has the packed filter;
    either way the outputs are TF Lite Micro's."""
    path = tmp_path / "m.tflite"
    path.write_bytes(_two_depthwise(kernels))
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(3)]
    got, body, _ = _compile_and_run(path, "speed", tmp_path, samples)
    assert body.count("tinycc_depthwise_conv_2d_s8_") == 2 and "_s8(" not in body      # both fast
    source = (tmp_path / "speed" / "model.c").read_text()
    assert f"#define TINYCC_DW_ONLY_PF {only_pf}\n" in source
    for k, xs in enumerate(samples):
        want = run_tflm(path.read_bytes(), xs)[0]
        assert got[k][0].tobytes() == np.asarray(want).tobytes(), f"sample {k}"


def _two_convs(width: int, kernels, cin: int = 8, activation: str = "relu") -> bytes:
    """x (1 x 5 x width x cin) -> conv `kernels[0]` -> conv `kernels[1]` -> y (int8, 8 channels, SAME padding)."""
    from tests.ops.test_fast_kernels import _out_scale, _pads, _quant_w
    from tests.tflite_builder import act, q
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node
    from tinycc.core.validate import validate
    rng = np.random.default_rng(5)
    tensors = {"x": act("x", (1, 5, width, cin), "int8", q(0.02, -7))}
    nodes, scale, src = [], 0.02, "x"
    for i, kernel in enumerate(kernels):
        ci = cin if i == 0 else 8
        w, b, w_mean = _quant_w(rng, (8, *kernel, ci), 0, True, scale)
        w.name, b.name = f"w{i}", f"b{i}"
        out = f"y{i}"
        scale_out = _out_scale(scale, w_mean, kernel[0] * kernel[1] * ci)
        tensors.update({w.name: w, b.name: b, out: act(out, (), "int8", q(scale_out, int(rng.integers(-20, 20))))})
        nodes.append(Node(f"conv{i}", "conv_2d", [src, w.name, b.name], [out],
                          {"strides": (1, 1), "dilations": (1, 1), "activation": activation,
                           "pads": _pads((5, width), kernel, (1, 1), True)}))
        src, scale = out, scale_out
    return write_tflite(validate(Graph("two_conv", tensors, nodes, ["x"], [src], source="<two conv>")))


# (width, first conv's input channels, kernels, activation): the entries (TINYCC_COLS_PW, _ROWS, _FLAT) and the
# tails (TINYCC_COLS_SPLIT, _ONE) of the im2col kernel its nodes need ("none": no clipping, the Cortex-M4's
# passes of three pixels apply)
TWO_CONVS = {"flat-odd-pw-35px": (7, 8, [(3, 3), (1, 1)], "relu", dict(PW=1, ROWS=0, FLAT=1, SPLIT=0, ONE=1)),
             "rows-ci8": (6, 8, [(3, 3), (3, 3)], "none", dict(PW=0, ROWS=1, FLAT=0, SPLIT=0, ONE=0)),
             "rows-ci3": (6, 3, [(3, 3), (3, 3)], "relu", dict(PW=0, ROWS=1, FLAT=0, SPLIT=1, ONE=0)),
             "pw-30px": (6, 8, [(1, 1), (1, 1)], "relu", dict(PW=1, ROWS=0, FLAT=0, SPLIT=0, ONE=0)),
             "pw-40px-one-past-threes": (8, 8, [(1, 1), (1, 1)], "none",
                                         dict(PW=1, ROWS=0, FLAT=0, SPLIT=0, ONE=1))}


@pytest.mark.parametrize("name", list(TWO_CONVS))
def test_im2col_entries_and_tails_compile_out_only_when_no_node_takes_them(name, tmp_path):
    """The im2col conv kernel keeps only the entries (pointwise, row by row, pixels paired across rows) the
    model's nodes take (KWS: 2.7 KB less code), the columns whose groups a tap splits only where an input
    channel count is not a multiple of 4 (TINYCC_COLS_SPLIT) and the pass of one pixel only where an odd row or
    pixel count, or one pixel past the passes of three, reaches it (TINYCC_COLS_ONE; ResNet-8: 2.2 KB less code
    for both); the outputs stay TF Lite Micro's."""
    width, cin, kernels, activation, defines = TWO_CONVS[name]
    path = tmp_path / "m.tflite"
    path.write_bytes(_two_convs(width, kernels, cin, activation))
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(3)]
    got, body, _ = _compile_and_run(path, "speed", tmp_path, samples)
    assert body.count("tinycc_conv_2d_s8_cols(") + body.count("tinycc_conv_2d_s8_fast_inplace(") == 2
    source = (tmp_path / "speed" / "model.c").read_text()
    for key, on in defines.items():     # the emitter's #define, before the kernels' defaults
        assert re.search(rf"#define TINYCC_COLS_{key} (\d)\n", source).group(1) == str(on), key
    for k, xs in enumerate(samples):
        want = run_tflm(path.read_bytes(), xs)[0]
        assert got[k][0].tobytes() == np.asarray(want).tobytes(), f"sample {k}"


@needs_qemu
@pytest.mark.parametrize("name", ["rows-ci8", "pw-40px-one-past-threes"])
def test_im2col_one_pixel_pass_on_qemu_cortex_m4_equals_tflm(name, tmp_path):
    """On the Cortex-M4 the passes of three pixels leave a pass of one only at a count one past a multiple of
    three (40 pixels: TINYCC_COLS_ONE 1), never in a row of even width (TINYCC_COLS_ONE 0)."""
    from tests.fast_paths import assert_qemu_m4_fast_path
    width, cin, kernels, activation, defines = TWO_CONVS[name]
    data = _two_convs(width, kernels, cin, activation)
    src = write_model_c(data, tmp_path)[1]
    assert re.search(r"#define TINYCC_COLS_ONE (\d)\n", src).group(1) == str(defines["ONE"])
    assert_qemu_m4_fast_path(data, tmp_path, "tinycc_cols_block3", samples=2)


@pytest.mark.parametrize("width, channels, pair", [(14, 8, 2), (15, 6, 1), (9, 8, 0)])
def test_depthwise_pair_pass_kept_only_where_a_node_reaches_it(width, channels, pair, tmp_path):
    """The depthwise two-pixel pass (tinycc_dw_s8_pf2, 1.1-1.5 KB) is compiled in when a node of the fast
    entry reaches it (TINYCC_DW_PAIR 1), only off DSP cores when just wide-row nodes would (2: a DSP core
    runs those through tinycc_dw_s8_wrow; VWW 1.5 KB less), and never when no node does (0); the outputs
    are TF Lite Micro's either way (here on the host, where 2 keeps the pass)."""
    from tests.ops.test_depthwise_fast_paths import dw
    path = tmp_path / "m.tflite"
    path.write_bytes(dw(11, 4, width, channels, in_zp=-128))
    g = load_tflite(path)
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    got, _, _ = _compile_and_run(path, "speed", tmp_path, samples)
    assert f"#define TINYCC_DW_PAIR {pair}\n" in (tmp_path / "speed" / "model.c").read_text()
    for k, xs in enumerate(samples):
        want = run_tflm(path.read_bytes(), xs)[0]
        assert got[k][0].tobytes() == np.asarray(want).tobytes(), f"sample {k}"


@pytest.mark.parametrize("seed, kernel, cin, in_zp", [(1, (3, 3), 4, -128), (2, (1, 1), 16, 5), (3, (2, 3), 3, 127)])
def test_multiplier_words_with_their_shift_equal_tflm_for_every_reachable_sum(seed, kernel, cin, in_zp, tmp_path):
    """requant.packed_multipliers: each channel's word W (its right shift in the low 5 bits, W itself the
    multiplier) requantises every accumulator an int8 input can produce exactly as TF Lite Micro's
    (M, shift) does (checked one by one over the whole range), and --optimize size then stores no shift
    array (4 bytes a channel, not 5) with outputs equal to TF Lite Micro's."""
    from tests.ops.test_fast_kernels import conv_case
    from tinycc.backends.c import requant
    from tinycc.core.fixedpoint import multiply_by_quantized_multiplier as mbqm
    path = tmp_path / "m.tflite"
    path.write_bytes(conv_case(seed, 5, 6, cin, 6, kernel, in_zp=in_zp, act_fn="relu"))
    g = load_tflite(path)
    node = g.nodes[0]
    p = ops.require("conv_2d").prepare(node, g)
    w = np.asarray(g.tensors[node.inputs[1]].data, np.int64)
    words = requant.packed_multipliers(node, g, p, w)
    assert words is not None
    bias = np.asarray(g.tensors[node.inputs[2]].data, np.int64)
    span = np.array([-128, 127]) - int(p["input_zp"])
    for c in range(w.shape[0]):
        wc = w[c].reshape(-1)
        acc = np.arange(bias[c] + np.minimum(wc * span[0], wc * span[1]).sum(),
                        bias[c] + np.maximum(wc * span[0], wc * span[1]).sum() + 1)
        m, s = int(p["multiplier"][c]), int(p["shift"][c])
        assert int(words[c]) & 31 == -s
        want = np.clip(mbqm(acc, m, s) + p["output_zp"], p["act_min"], p["act_max"])
        got = np.clip(mbqm(acc, int(words[c]), -(int(words[c]) & 31)) + p["output_zp"], p["act_min"], p["act_max"])
        assert np.array_equal(got, want), f"channel {c}"
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    got_out, _, report = _compile_and_run(path, "size", tmp_path, samples)
    arrays = _arrays(tmp_path / "size")
    assert [n for c, _, n in arrays if c.startswith("multipliers with their right shift")] == [6]
    assert not any(t == "int8_t" and n == 6 for _, t, n in arrays)      # no shift array
    for k, xs in enumerate(samples):
        assert got_out[k][0].tobytes() == np.asarray(run_tflm(path.read_bytes(), xs)[0]).tobytes(), f"sample {k}"


@pytest.mark.parametrize("seed, kernel, cin, co, in_zp", [(4, (3, 3), 4, 6, -128), (5, (1, 1), 16, 7, 3)])
def test_im2col_conv_stores_one_requantisation_word_a_channel(seed, kernel, cin, co, in_zp, tmp_path):
    """requant.cols_packed_words / conv_2d.cols_words: the im2col conv's packed array is the filter (k4 taps a
    channel) plus 8 bytes a channel (folded bias and one requantisation word: 2M - 2^32 with the shift less
    one in its low 5 bits; 12 more before) plus 8 for the layer's 2 out_zp + 1 and key; each word requantises every
    accumulator an int8 input can reach as TF Lite Micro's (M, shift) does (checked one by one over the
    whole range), the odd last channel's tail is compiled in only with an odd channel count, and the
    compiled model's outputs are TF Lite Micro's."""
    from tests.ops.test_fast_kernels import conv_case
    from tinycc.backends.c import requant
    from tinycc.core.fixedpoint import multiply_by_quantized_multiplier as mbqm
    path = tmp_path / "m.tflite"
    path.write_bytes(conv_case(seed, 5, 6, cin, co, kernel, in_zp=in_zp, act_fn="relu"))
    g = load_tflite(path)
    node = g.nodes[0]
    p = ops.require("conv_2d").prepare(node, g)
    w = np.asarray(g.tensors[node.inputs[1]].data, np.int64)
    packed = requant.cols_packed_words(node, g, p, w)
    assert packed is not None and packed[1] == 0            # no channel needs a key
    words = packed[0]
    bias = np.asarray(g.tensors[node.inputs[2]].data, np.int64)
    amin, amax = requant.reachable_sums(p, bias, w)
    zp, lo, hi = int(p["output_zp"]), int(p["act_min"]), int(p["act_max"])
    for c in range(co):
        acc = np.arange(amin[c], amax[c] + 1)
        m, s = int(p["multiplier"][c]), int(p["shift"][c])
        assert int(words[c]) & 31 == -s - 1
        want = np.clip(mbqm(acc, m, s) + zp, lo, hi)
        assert np.array_equal(requant.cols_word_outputs(acc, int(words[c]), zp, lo, hi), want), f"channel {c}"
    samples = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    got, _, _ = _compile_and_run(path, "speed", tmp_path, samples)
    k4 = -(-int(np.prod(w.shape[1:])) // 4) * 4
    wpk = [n for c, t, n in _arrays(tmp_path / "speed") if "packed for the im2col kernel" in c]
    assert wpk == [(8 + co * (k4 + 8)) // 4]                       # int32 words
    # the odd-last-channel tail compiled in only where a node has one
    assert f"#define TINYCC_COLS_ODD {co % 2}\n" in (tmp_path / "speed" / "model.c").read_text()
    for k, xs in enumerate(samples):
        assert got[k][0].tobytes() == np.asarray(run_tflm(path.read_bytes(), xs)[0]).tobytes(), f"sample {k}"


def _elf_objects(elf) -> set[str]:
    out = subprocess.run(["arm-none-eabi-readelf", "-sW", str(elf)], capture_output=True, text=True, check=True)
    return {f[7] for f in (line.split() for line in out.stdout.splitlines()) if len(f) >= 8 and f[3] == "OBJECT"}


@needs_qemu
def test_shallow_conv_links_its_filter_once_on_a_cortex_m4(tmp_path):
    """The shallow-input conv (conv_2d_shallow.h) stores its words as 2 + 34 a channel pair (the layer's zp2 and
    key, then kb0, kb1, 28 tap words, W0, h0, W1, h1: no shift words, the kernel takes them from W; a node in mode
    z0 also 2 + 34 a pair, and then links only those) and references
    the im2col copy of its filter (`wpk`) only where ARMv6-M reads it: a Cortex-M4 build links no wpk array
    even without GCC's removal of unused arguments (-O1), a Cortex-M0+ build links it; the M4's outputs equal
    TF Lite Micro's."""
    from tests.ops.check import assert_qemu_m4_equals_tflm
    from tests.test_conv_shallow import CASES, shallow_case
    from tinycc import cortexm
    model = shallow_case(7, **CASES["stride1-ic-like"])
    g, src = write_model_c(model, tmp_path / "m4")
    arrays = _arrays(tmp_path / "m4")
    # the W, h form's words, and mode z0's (output zero point -128: M, Ra for W, h), which the kernel reads
    assert [n for c, _, n in arrays if "for the shallow-input kernel" in c] == [2 + 34 * 16 // 2] * 2
    texts = (tmp_path / "m4" / "model_weights.c").read_text().split("/* ")
    wpk, wsh = ([re.search(r"const int32_t (\w+)\[", text).group(1) for text in texts if key in text][0]
                for key in ("packed for the im2col kernel", "for the shallow-input kernel: "))
    assert "#define TINYCC_SH_S2 0\n" in src and "#define TINYCC_SH_RQW 0\n" in src
    m4 = assert_qemu_m4_equals_tflm(model, g, tmp_path / "m4", 2, extra_flags=("-O1",))
    assert wpk not in _elf_objects(m4["elf"]) and wsh not in _elf_objects(m4["elf"])
    if shutil.which(cortexm.TARGETS["cortex-m0plus"].compiler) is None:
        return
    write_model_c(model, tmp_path / "m0")
    assert wpk in _elf_objects(cortexm.build(tmp_path / "m0", "cortex-m0plus")["elf"])


IC = "mlperf_tiny/pretrainedResnet_quant.tflite"


@needs_qemu
def test_resnet8_speed_flash_over_weights_within_10kb(tmp_path):
    """Issue 19: ResNet-8 (MLPerf Tiny's IC) under --optimize speed, linked for a Cortex-M4 (gcc -O2,
    --gc-sections), stores at most 10 KB beyond its weights (benchmarks/flash_breakdown.py: 12,485 before the
    im2col kernel compiled out what no node reaches, its row loop took one copy of the pixels' column code and
    the shallow conv dropped its shift words)."""
    import importlib.util
    path = models_dir() / IC
    if not path.exists():
        pytest.skip(f"{IC} absent from {models_dir()} (set TINYCC_MODELS to the shared models)")
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("flash_breakdown", root / "benchmarks" / "flash_breakdown.py")
    fb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fb)
    compile_model(path, "c", tmp_path / "out", name="model", options={"optimize": "speed"})
    row = fb.breakdown(tmp_path / "out", fb.weight_bytes(path))
    # its shallow first layer in mode z0 (output zero point -128): its 2 + 34 words a pair linked, the W-form's not
    assert row["categories"]["wsz"] == 4 * (2 + 34 * 16 // 2) and "wsh" not in row["categories"]
    assert "wpk" in row["categories"] and row["over_weights"] <= fb.TARGET_OVER, row
