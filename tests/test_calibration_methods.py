"""PTQ quality (issue 18 item 5): calibration methods, bias correction, dead and collapsed channels,
and the first layer whose SQNR falls below a threshold.

- `mse` finds the clipping range of least quantisation error (checked against a brute-force
  search over real quantisation of the values), `kl` clips outlier spikes; on a conv net with
  outlier-heavy activations both give a better output SQNR than min/max; every method is
  deterministic (the same model bytes twice) and keeps the fixed output quantisation.
- A tensor that is zero on every sample gets a valid scale, quantises to exactly 0, and the
  model runs in TF Lite Micro identically; constant and collapsed channels are reported.
- Bias correction removes a systematic weight-rounding error (output SQNR up, model still
  bit-exact in TFLM).
- The accuracy report (compile output and JSON) names the first layer below the SQNR threshold.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.ptq_helpers import quantised
from tests.tflm import run_tflm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import interpreter
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes import range_search
from tinycc.core.passes.accuracy import accuracy_report, sqnr_db
from tinycc.core.passes.calibrate import METHODS, calibrate
from tinycc.core.passes.quantize import activation_quant
from tinycc.core.validate import validate


def _graph(name, tensors, nodes, inputs, outputs):
    for node in nodes:
        for o in node.outputs:
            tensors.setdefault(o, Tensor(o, (), "float32"))
    return validate(Graph(name, tensors, nodes, inputs, outputs, source=name))


def _const(name, data):
    return Tensor(name, data.shape, "float32", data=np.asarray(data, dtype=np.float32))


def _output_sqnr(g, gq, samples):
    f = np.stack([interpreter.run(g, s)[0].reshape(-1) for s in samples]).astype(np.float64)
    q = np.stack([interpreter.run(gq, s)[0].reshape(-1) for s in samples]).astype(np.float64)
    return sqnr_db(f, q)


def _real_error(v, lo, hi):
    """Squared error of quantising v with activation_quant(lo, hi) (round half away, clamp)."""
    q = activation_quant(lo, hi)
    x = v.astype(np.float64) / q.s
    levels = np.clip(np.sign(x) * np.floor(np.abs(x) + 0.5) + q.zp, -128, 127)
    return float(np.sum(((levels - q.zp) * q.s - v) ** 2))


# --- outliers: a conv net whose input and pre-TANH activation carry rare large spikes ---

def spiky_net(seed=0) -> Graph:
    rng = np.random.default_rng(seed)
    t = {"x": Tensor("x", (1, 16, 16, 3), "float32"),
         "w1": _const("w1", rng.normal(0, 0.5, (8, 3, 3, 3))), "b1": _const("b1", rng.normal(0, 0.1, 8)),
         "w2": _const("w2", rng.normal(0, 0.3, (8, 3, 3, 8))), "b2": _const("b2", rng.normal(0, 0.1, 8)),
         "wf": _const("wf", rng.normal(0, 0.1, (10, 512))), "bf": _const("bf", rng.normal(0, 0.1, 10))}
    nodes = [Node("conv1", "conv_2d", ["x", "w1", "b1"], ["c1"], {"pads": (1, 1, 1, 1)}),
             Node("tanh", "tanh", ["c1"], ["t1"]),
             Node("conv2", "conv_2d", ["t1", "w2", "b2"], ["c2"], {"strides": (2, 2), "pads": (1, 1, 1, 1)}),
             Node("flat", "reshape", ["c2"], ["f"], {"shape": (1, 512)}),
             Node("fc", "fully_connected", ["f", "wf", "bf"], ["y"])]
    return _graph("spiky", t, nodes, ["x"], ["y"])


def spiky_samples(rng, n):
    out = []
    for _ in range(n):
        x = rng.normal(size=(1, 16, 16, 3))
        x[rng.random(x.shape) < 0.01] *= 15            # 1% of the values 15x larger
        out.append([x.astype(np.float32)])
    return out


@pytest.fixture(scope="module")
def spiky():
    rng = np.random.default_rng(1)
    return spiky_net(), spiky_samples(rng, 64), spiky_samples(rng, 64)


def test_mse_and_kl_beat_minmax_on_an_outlier_heavy_net(spiky):
    g, cal, held_out = spiky
    sqnr = {m: _output_sqnr(g, quantised(g, cal, method=m), held_out) for m in METHODS}
    print({m: round(v, 2) for m, v in sqnr.items()})
    # measured: minmax 16.53, percentile 19.39, mse 18.53, kl 21.60 dB
    assert sqnr["mse"] >= sqnr["minmax"] + 0.5
    assert sqnr["kl"] >= sqnr["minmax"] + 2.0
    # both clip the pre-TANH activation to where TANH's int8 output saturates (about +-3), min/max keeps +-45
    mse, mm = calibrate(g, cal, "mse"), calibrate(g, cal, "minmax")
    assert mm.hi["c1"] > 40 and mse.hi["c1"] < 3.5 and mse.lo["c1"] > -3.5
    tanh_in = np.concatenate([np.tanh(interpreter.Interpreter(g).run(s, keep_all=True)[1]["c1"]).ravel() for s in cal])
    assert np.mean(np.abs(tanh_in) > 0.99) > 0.05          # (the clipped values matter: TANH saturates on them)


def test_kl_clips_the_spikes_of_the_input(spiky):
    g, cal, _ = spiky
    x = np.concatenate([s[0].ravel() for s in cal])
    kl, mm = calibrate(g, cal, "kl"), calibrate(g, cal, "minmax")
    assert mm.lo["x"] == pytest.approx(float(x.min())) and mm.hi["x"] == pytest.approx(float(x.max()))
    assert kl.hi["x"] < 0.8 * mm.hi["x"] and kl.lo["x"] > 0.8 * mm.lo["x"]
    assert kl.hi["x"] > np.percentile(x, 99.9) and kl.lo["x"] < np.percentile(x, 0.1)   # the bulk stays inside


def test_mse_range_matches_a_brute_force_search():
    """Normal values plus two outliers: the histogram search's range costs (in real quantisation
    of the values) within 0.5% of the best of a 48 x 58 grid searched by quantising every value."""
    rng = np.random.default_rng(0)
    v = np.concatenate([rng.normal(0, 1, 100_000), [60.0, -50.0]]).astype(np.float32)
    h = range_search.ZeroAlignedHistogram(float(v.min()), float(v.max()))
    h.add(v)
    lo, hi = range_search.mse_range(h)
    brute = min(_real_error(v, -a, b) for a in np.linspace(3, 50, 48) for b in np.linspace(3, 60, 58))
    assert _real_error(v, lo, hi) <= brute * 1.005
    assert _real_error(v, lo, hi) < 0.85 * _real_error(v, float(v.min()), float(v.max()))
    # the histogram's own estimate of the error is the real one within 1%
    est = range_search.expected_sq_error(h, np.array([lo]), np.array([hi]))[0]
    assert est == pytest.approx(_real_error(v, lo, hi), rel=0.01)
    # one-signed values (after a ReLU, half of them exactly 0): 0 is never clipped away
    r = np.maximum(v, 0)
    h = range_search.ZeroAlignedHistogram(0.0, float(r.max()))
    h.add(r)
    assert h.zeros == int(np.sum(r == 0))
    lo, hi = range_search.mse_range(h)
    assert lo == 0.0 and 0 < hi <= r.max()
    lo, hi = range_search.kl_range(h)
    assert lo == 0.0 and np.percentile(r, 99.9) < hi < r.max()


@pytest.mark.parametrize("method", METHODS)
def test_every_method_is_deterministic_and_keeps_fixed_quant(method):
    rng = np.random.default_rng(5)
    t = {"x": Tensor("x", (1, 6), "float32"),
         "w": _const("w", rng.normal(0, 1, (4, 6))), "b": _const("b", rng.normal(0, 0.1, 4))}
    nodes = [Node("fc", "fully_connected", ["x", "w", "b"], ["l"]),
             Node("sig", "logistic", ["l"], ["s"]), Node("th", "tanh", ["l"], ["t"]),
             Node("add", "add", ["s", "t"], ["a"]), Node("softmax", "softmax", ["a"], ["y"])]
    g = _graph("fixed", t, nodes, ["x"], ["y"])
    cal = [[(rng.normal(size=(1, 6)) * (10 if k % 7 == 0 else 1)).astype(np.float32)] for k in range(24)]
    first, second = (write_tflite(quantised(g, cal, method=method)) for _ in range(2))
    assert first == second
    gq = quantised(g, cal, method=method)
    fixed = {"logistic": (1 / 256, -128), "tanh": (1 / 128, 0), "softmax": (1 / 256, -128)}
    seen = set()
    for node in gq.nodes:
        if node.op in fixed:
            q = gq.tensors[node.outputs[0]].quant
            assert (float(q.s), q.zp) == pytest.approx(fixed[node.op])
            seen.add(node.op)
    assert seen == set(fixed)
    for name in ("x", "l", "a"):
        q = gq.tensors[name if name != "x" else "x/int8"].quant
        real = q.s * (np.arange(-128, 128) - q.zp)
        assert 0.0 in real                                       # 0 exact, as the spec requires


def test_methods_give_different_models(spiky):
    g, cal, _ = spiky
    models = {m: write_tflite(quantised(g, cal, method=m)) for m in METHODS}
    assert len(set(models.values())) == len(METHODS)


# --- zero-range tensors, dead and collapsed channels ---

def health_net(seed=0) -> Graph:
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.5, (4, 1, 1, 3))
    w[0] *= 50                                  # channel 0 sets the tensor's range ...
    w[1] *= 1e-4                                # ... channel 1 varies far below one step of it
    b = np.array([0.0, 0.0, -100.0, 0.1])       # channel 2 never passes the ReLU
    t = {"x": Tensor("x", (1, 4, 4, 3), "float32"), "w": _const("w", w), "b": _const("b", b),
         "wz": _const("wz", rng.normal(0, 0.5, (4, 1, 1, 3))), "bz": _const("bz", np.full(4, -100.0)),
         "wf": _const("wf", rng.normal(0, 0.3, (5, 64))), "bf": _const("bf", np.zeros(5))}
    nodes = [Node("mix", "conv_2d", ["x", "w", "b"], ["m"], {"activation": "relu"}),
             Node("zero", "conv_2d", ["x", "wz", "bz"], ["z"], {"activation": "relu"}),   # 0 everywhere
             Node("sum", "add", ["m", "z"], ["a"]),
             Node("flat", "reshape", ["a"], ["f"], {"shape": (1, 64)}),
             Node("fc", "fully_connected", ["f", "wf", "bf"], ["y"])]
    return _graph("health", t, nodes, ["x"], ["y"])


@pytest.mark.parametrize("method", METHODS)
def test_zero_range_activation_quantises_exactly_and_runs_in_tflm(method):
    g = health_net()
    rng = np.random.default_rng(2)
    cal = [[rng.uniform(0, 1, (1, 4, 4, 3)).astype(np.float32)] for _ in range(16)]
    ranges = calibrate(g, cal, method)
    assert ranges.lo["z"] == 0.0 and ranges.hi["z"] == 0.0
    gq = quantised(g, cal, method=method)
    zq = gq.tensors["z"].quant
    assert zq.s > 0 and np.isfinite(zq.s) and -128 <= zq.zp <= 127
    model = write_tflite(gq)
    for xs in cal[:4]:
        _, vals = interpreter.Interpreter(gq).run(xs, keep_all=True)
        assert np.all(vals["z"] == zq.zp)                     # exactly 0.0 once dequantised
        out = interpreter.run(gq, xs)[0]
        np.testing.assert_array_equal(run_tflm(model, xs)[0].reshape(out.shape), out)
    rep = accuracy_report(g, gq, cal)
    assert next(lay for lay in rep["layers"] if lay["node"] == "zero")["sqnr_db"] == float("inf")


def test_dead_and_collapsed_channels_are_reported():
    g = health_net()
    rng = np.random.default_rng(2)
    cal = [[rng.uniform(0, 1, (1, 4, 4, 3)).astype(np.float32)] for _ in range(16)]
    rep = accuracy_report(g, quantised(g, cal), cal)
    by_node = {lay["node"]: lay for lay in rep["layers"]}
    assert by_node["mix"]["dead_channels"] == [2]
    assert by_node["mix"]["collapsed_channels"] == [1]
    assert by_node["zero"]["dead_channels"] == [0, 1, 2, 3] and by_node["zero"]["collapsed_channels"] == []
    from tinycc.commands.compile import accuracy_lines
    lines = accuracy_lines(rep)
    assert "mix (conv_2d): channels 1 vary in float but quantise to one int8 level" in lines
    assert "mix (conv_2d): channels 2 are constant on every calibration sample" in lines


# --- bias correction ---

def biased_net(seed=0) -> Graph:
    """Every weight sits 0.45 of a step above an int8 level (one weight per channel pins the
    scale at exactly 0.01), so rounding lowers every weight by 0.0045: with positive inputs the
    outputs drift down systematically."""
    rng = np.random.default_rng(seed)

    def weights(shape, axis):
        k = rng.integers(-100, 100, shape).astype(np.float64)
        w = 0.01 * (k + 0.45)
        pin = [slice(None)] * len(shape)
        for i in range(shape[axis] if axis is not None else 1):
            if axis is not None:
                pin[axis] = i
            idx = tuple(p if isinstance(p, int) else 0 for p in pin)
            w[idx] = 1.27
        return w
    t = {"x": Tensor("x", (1, 6, 6, 4), "float32"),
         "w1": _const("w1", weights((8, 3, 3, 4), 0)), "b1": _const("b1", np.zeros(8)),
         "wf": _const("wf", weights((6, 72), None) * 0.2), "bf": _const("bf", np.zeros(6))}
    nodes = [Node("conv", "conv_2d", ["x", "w1", "b1"], ["c"], {"strides": (2, 2), "pads": (1, 1, 1, 1)}),
             Node("flat", "reshape", ["c"], ["f"], {"shape": (1, 72)}),
             Node("fc", "fully_connected", ["f", "wf", "bf"], ["y"])]
    return _graph("biased", t, nodes, ["x"], ["y"])


def test_bias_correction_removes_a_systematic_rounding_error():
    g = biased_net()
    rng = np.random.default_rng(3)
    cal = [[rng.uniform(0, 1, (1, 6, 6, 4)).astype(np.float32)] for _ in range(32)]
    held_out = [[rng.uniform(0, 1, (1, 6, 6, 4)).astype(np.float32)] for _ in range(32)]
    plain = quantised(g, cal)
    corrected = quantised(g, cal, bias_correction=True)
    before, after = _output_sqnr(g, plain, held_out), _output_sqnr(g, corrected, held_out)
    print(f"output SQNR without bias correction {before:.2f} dB, with {after:.2f} dB")
    assert after >= before + 3.0
    # the conv's int32 bias moved up by about the mean rounding loss, 0.0045 * sum of E[x] over the window
    conv = next(n for n in corrected.nodes if n.name == "conv")
    b = corrected.tensors[conv.inputs[2]]
    shift = b.data.astype(np.float64) * b.quant.scale
    assert np.all(shift > 0.0045 * 0.5 * 16) and np.all(shift < 0.0045 * 0.5 * 36 * 1.2)
    # the corrected model still runs in TFLM identically
    model = write_tflite(corrected)
    for xs in held_out[:3]:
        out = interpreter.run(corrected, xs)[0]
        np.testing.assert_array_equal(run_tflm(model, xs)[0].reshape(out.shape), out)


# --- the first layer below the SQNR threshold ---

def cancelling_net(seed=0) -> Graph:
    """Two convolutions with nearly the same filter (outputs ~ +-20, quantised well) and their
    difference (~ +-0.2): the difference keeps its inputs' independent rounding noise and little signal."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 2.0, (4, 3, 3, 2))
    t = {"x": Tensor("x", (1, 6, 6, 2), "float32"), "wa": _const("wa", w),
         "wb": _const("wb", w + rng.normal(0, 0.02, w.shape)),
         "ba": _const("ba", np.zeros(4)), "bb": _const("bb", np.zeros(4)),
         "wf": _const("wf", rng.normal(0, 0.3, (3, 144))), "bf": _const("bf", np.zeros(3))}
    nodes = [Node("conv_a", "conv_2d", ["x", "wa", "ba"], ["ca"], {"pads": (1, 1, 1, 1)}),
             Node("conv_b", "conv_2d", ["x", "wb", "bb"], ["cb"], {"pads": (1, 1, 1, 1)}),
             Node("diff", "sub", ["cb", "ca"], ["d"]),
             Node("flat", "reshape", ["d"], ["f"], {"shape": (1, 144)}),
             Node("head", "fully_connected", ["f", "wf", "bf"], ["y"])]
    return _graph("cancelling", t, nodes, ["x"], ["y"])


def tinycc(*args):
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_first_layer_below_threshold_is_named(tmp_path):
    g = cancelling_net()
    rng = np.random.default_rng(4)
    cal = [[rng.normal(size=(1, 6, 6, 2)).astype(np.float32)] for _ in range(16)]
    rep = accuracy_report(g, quantised(g, cal), cal, sqnr_threshold=20.0)
    sqnr = {lay["node"]: lay["sqnr_db"] for lay in rep["layers"]}
    assert sqnr["conv_a"] > 30 and sqnr["conv_b"] > 30 and sqnr["diff"] < 20 and sqnr["head"] < 20
    first = rep["first_below_threshold"]
    assert (first["node"], first["op"], first["tensor"]) == ("diff", "sub", "d")
    assert accuracy_report(g, quantised(g, cal), cal, sqnr_threshold=-50.0)["first_below_threshold"] is None
    # the CLI prints it and puts it in the JSON
    model = tmp_path / "cancel.tflite"
    model.write_bytes(write_tflite(g))
    np.savez(tmp_path / "cal.npz", x=np.stack([c[0] for c in cal]))
    proc = tinycc("compile", model, "--calibration", tmp_path / "cal.npz", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    from tinycc.plugins.importers.tflite import load_tflite
    name = next(n.name for n in load_tflite(model).nodes if n.outputs == ["d"])      # as the file names it
    assert f"first layer below 20 dB SQNR: {name} (sub, {sqnr['diff']:.1f} dB)" in proc.stdout
    proc = tinycc("compile", model, "--calibration", tmp_path / "cal.npz", "-o", tmp_path / "o2",
                  "--sqnr-threshold", "-50", "--calibration-method", "kl", "--bias-correction", "--json")
    assert proc.returncode == 0, proc.stderr
    acc = json.loads(proc.stdout)["accuracy"]
    assert acc["sqnr_threshold_db"] == -50 and acc["first_below_threshold"] is None
    proc = tinycc("compile", model, "--bias-correction", "-o", tmp_path / "o3")
    assert proc.returncode == 2 and "--bias-correction applies when tinycc quantises" in proc.stderr


# --- concatenation: operands only it reads are written in its quantisation (no requantisation) ---

def concat_net(seed=0) -> Graph:
    """Two 1x1 convs of different output ranges concatenated; `a` is also read by a max pool."""
    rng = np.random.default_rng(seed)
    t = {"x": Tensor("x", (1, 4, 4, 3), "float32"),
         "wa": _const("wa", rng.normal(0, 0.5, (4, 1, 1, 3))), "ba": _const("ba", np.zeros(4)),
         "wb": _const("wb", rng.normal(0, 2.0, (4, 1, 1, 3))), "bb": _const("bb", np.zeros(4)),
         "wc": _const("wc", rng.normal(0, 1.0, (4, 1, 1, 3))), "bc": _const("bc", np.zeros(4))}
    nodes = [Node("conv_a", "conv_2d", ["x", "wa", "ba"], ["a"], {}),
             Node("conv_b", "conv_2d", ["x", "wb", "bb"], ["b"], {}),
             Node("conv_c", "conv_2d", ["x", "wc", "bc"], ["c"], {}),
             Node("cat", "concatenation", ["a", "b"], ["ab"], {"axis": 3}),
             Node("pool", "max_pool_2d", ["c"], ["p"], {"kernel": (2, 2), "strides": (2, 2)}),
             Node("cat2", "concatenation", ["c", "ab"], ["y"], {"axis": 3}),
             Node("pool2", "max_pool_2d", ["p"], ["z"], {"kernel": (2, 2), "strides": (2, 2)})]
    return _graph("concat", t, nodes, ["x"], ["y", "z"])


def test_concatenation_operands_share_its_quantisation():
    g = concat_net()
    rng = np.random.default_rng(3)
    cal = [[rng.normal(size=(1, 4, 4, 3)).astype(np.float32)] for _ in range(16)]
    ranges = calibrate(g, cal)
    assert ranges.hi["b"] - ranges.lo["b"] > 2 * (ranges.hi["a"] - ranges.lo["a"])    # different own ranges
    gq = quantised(g, cal)
    q = {n: gq.tensors[n].quant for n in ("a", "b", "ab", "c")}
    # a and b are read only by `cat`: their convs write cat's quantisation, spanning both ranges
    assert q["a"].s == q["b"].s == q["ab"].s and q["a"].zp == q["b"].zp == q["ab"].zp
    assert np.isclose(float(q["ab"].s), (max(ranges.hi["a"], ranges.hi["b"]) - min(ranges.lo["a"], ranges.lo["b"]))
                      / 255, rtol=1e-6)
    # c is also read by a pool (and `ab` is a concatenation's output): requantised for cat2, as before
    requant = [n for n in gq.nodes if n.op == "quantize" and n.name.startswith("requantize:")]
    assert "c" in {n.inputs[0] for n in requant} and not {"a", "b"} & {n.inputs[0] for n in requant}
    assert q["c"].s == activation_quant(ranges.lo["c"], ranges.hi["c"]).s
    model = write_tflite(gq)
    for xs in cal[:4]:
        outs = interpreter.run(gq, xs)
        for got, want in zip(run_tflm(model, xs), outs):
            np.testing.assert_array_equal(got.reshape(want.shape), want)
