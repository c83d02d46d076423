"""Magnitude-based channel pruning (core/passes/prune_channels.py, `--prune-channels`,
`--max-accuracy-drop`) on a small float model built here: conv1 -> depthwise -> conv2 -> mean -> fc.

- Ratio 0.5 removes exactly half the channels of each prunable layer (conv1 with the depthwise
  reading it, conv2; not fc, whose channels are the model's output), the ones of smallest L1
  filter norm (computed here with numpy), and the pruned model computes what a numpy forward of
  the original with those channels zeroed computes.
- Per-layer ratios, and the refusals: ratios outside [0, 1), an unknown layer, a layer that cannot
  be pruned, a quantised model, --max-accuracy-drop without calibration data (exit 2, named).
- --max-accuracy-drop picks the largest grid ratio within the bound (agreement recomputed here),
  the next one is outside it; through the CLI, pruned then quantised to int8.
"""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.cli import main
from tinycc.core import interpreter
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes import Sequential
from tinycc.core.passes.prune_channels import PruneChannels, prunable_layers, prune_model
from tinycc.core.validate import validate


def _const(name, data):
    return Tensor(name, data.shape, "float32", data=np.asarray(data, dtype=np.float32))


def net(seed=0) -> Graph:
    rng = np.random.default_rng(seed)
    t = {"x": Tensor("x", (1, 10, 10, 3), "float32"),
         "w1": _const("w1", rng.normal(0, 0.5, (8, 3, 3, 3)) * rng.uniform(0.2, 2, (8, 1, 1, 1))),
         "b1": _const("b1", rng.normal(0, 0.1, 8)),
         "wd": _const("wd", rng.normal(0, 0.5, (1, 3, 3, 8))), "bd": _const("bd", rng.normal(0, 0.1, 8)),
         "w2": _const("w2", rng.normal(0, 0.5, (8, 1, 1, 8)) * rng.uniform(0.2, 2, (8, 1, 1, 1))),
         "b2": _const("b2", rng.normal(0, 0.1, 8)),
         "wf": _const("wf", rng.normal(0, 0.5, (10, 8))), "bf": _const("bf", rng.normal(0, 0.1, 10))}
    nodes = [Node("conv1", "conv_2d", ["x", "w1", "b1"], ["c1"], {"activation": "relu"}),
             Node("dw", "depthwise_conv_2d", ["c1", "wd", "bd"], ["d"], {"activation": "relu", "depth_multiplier": 1}),
             Node("conv2", "conv_2d", ["d", "w2", "b2"], ["c2"], {"activation": "relu"}),
             Node("mean", "mean", ["c2"], ["m"], {"axes": (1, 2), "keep_dims": False}),
             Node("fc", "fully_connected", ["m", "wf", "bf"], ["y"])]
    for node in nodes:
        for o in node.outputs:
            t.setdefault(o, Tensor(o, (), "float32"))
    return validate(Graph("prune-net", t, nodes, ["x"], ["y"], source="prune-net"))


def samples(n, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.normal(0, 1, (1, 10, 10, 3)).astype(np.float32)] for _ in range(n)]


def smallest_l1(w: np.ndarray, count: int) -> list[int]:
    norms = np.abs(w.astype(np.float64)).reshape(w.shape[0], -1).sum(axis=1)
    return sorted(np.argsort(norms, kind="stable")[:count].tolist())


def numpy_forward(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The net in numpy (valid convolutions, stride 1), float64."""
    def conv(a, w, b):                 # a (H, W, C), w (O, kh, kw, C)
        win = sliding_window_view(a, w.shape[1:3], axis=(0, 1))          # (H', W', C, kh, kw)
        return np.einsum("hwcij,oijc->hwo", win, w) + b

    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    a = relu(conv(x[0].astype(np.float64), p["w1"], p["b1"]))
    win = sliding_window_view(a, (3, 3), axis=(0, 1))                    # depthwise: per channel
    a = relu(np.einsum("hwcij,ijc->hwc", win, p["wd"][0]) + p["bd"])
    a = relu(conv(a, p["w2"], p["b2"]))
    return a.mean(axis=(0, 1)) @ p["wf"].T + p["bf"]


def params(g: Graph) -> dict[str, np.ndarray]:
    names = ("w1", "b1", "wd", "bd", "w2", "b2", "wf", "bf")
    return {k: np.asarray(g.tensors[k].data, dtype=np.float64) for k in names}


def test_prunable_layers_are_those_dead_channel_elimination_can_remove():
    found = prunable_layers(net())
    assert list(found) == ["conv1", "conv2"]                # fc's channels are the model's output
    assert found["conv1"].producers == ["conv1", "dw"]       # the depthwise reads conv1's channels one to one
    assert len(found["conv1"].groups) == len(found["conv2"].groups) == 8


def test_half_the_channels_of_smallest_norm_go_and_outputs_equal_the_zeroed_model():
    g = net()
    p = params(g)
    gone1, gone2 = smallest_l1(p["w1"], 4), smallest_l1(p["w2"], 4)
    pruner = PruneChannels(0.5)
    pruned = Sequential(pruner).run(copy.deepcopy(g))
    assert pruner.pruned == {"conv1": gone1, "conv2": gone2}
    shapes = {k: pruned.tensors[k].shape for k in ("w1", "b1", "wd", "bd", "w2", "b2", "wf")}
    assert shapes == {"w1": (4, 3, 3, 3), "b1": (4,), "wd": (1, 3, 3, 4), "bd": (4,), "w2": (4, 1, 1, 4),
                      "b2": (4,), "wf": (10, 4)}
    keep1, keep2 = sorted(set(range(8)) - set(gone1)), sorted(set(range(8)) - set(gone2))
    np.testing.assert_array_equal(pruned.tensors["w1"].data, p["w1"][keep1].astype(np.float32))
    np.testing.assert_array_equal(pruned.tensors["w2"].data, p["w2"][keep2][..., keep1].astype(np.float32))
    np.testing.assert_array_equal(pruned.tensors["wf"].data, p["wf"][:, keep2].astype(np.float32))

    zeroed = dict(p)                                        # the original with those channels zeroed
    zeroed["w1"], zeroed["b1"], zeroed["wd"], zeroed["bd"] = (v.copy() for v in (p["w1"], p["b1"], p["wd"], p["bd"]))
    zeroed["w2"], zeroed["b2"] = p["w2"].copy(), p["b2"].copy()
    zeroed["w1"][gone1], zeroed["b1"][gone1], zeroed["wd"][..., gone1], zeroed["bd"][gone1] = 0, 0, 0, 0
    zeroed["w2"][gone2], zeroed["b2"][gone2] = 0, 0
    for xs in samples(4):
        want = numpy_forward(zeroed, xs[0])
        np.testing.assert_allclose(interpreter.run(pruned, xs)[0][0], want, rtol=1e-4, atol=1e-5)
        assert np.abs(numpy_forward(p, xs[0]) - want).max() > 1e-3      # pruning did change the model
    note = pruned.metadata.notes[-1]
    assert note.startswith("channel pruning: 8 of 16 prunable channels of 2 layers removed") and "MACs" in note


def test_bias_compensation_adds_the_pruned_channels_mean_contribution():
    g, cal = net(), samples(6)
    p = params(g)
    gone1, gone2 = smallest_l1(p["w1"], 4), smallest_l1(p["w2"], 4)
    pruned, report = prune_model(g, 0.5, None, cal, compensate=True)
    assert report["compensated"] and [v["pruned"] for v in report["layers"]] == [gone1, gone2]
    d_mean, m_mean = 0.0, 0.0                        # the unpruned activations' channel means, in numpy
    for xs in cal:
        a = np.maximum(np.einsum("hwcij,oijc->hwo", sliding_window_view(xs[0][0].astype(np.float64), (3, 3),
                                                                        axis=(0, 1)), p["w1"]) + p["b1"], 0)
        d = np.maximum(np.einsum("hwcij,ijc->hwc", sliding_window_view(a, (3, 3), axis=(0, 1)), p["wd"][0])
                       + p["bd"], 0)
        c2 = np.maximum(np.einsum("hwc,oc->hwo", d, p["w2"][:, 0, 0, :]) + p["b2"], 0)
        d_mean, m_mean = d_mean + d.mean(axis=(0, 1)) / len(cal), m_mean + c2.mean(axis=(0, 1)) / len(cal)
    keep2 = sorted(set(range(8)) - set(gone2))
    want_b2 = p["b2"] + p["w2"][:, 0, 0, gone1] @ d_mean[gone1]        # conv2 reads the depthwise output
    want_bf = p["bf"] + p["wf"][:, gone2] @ m_mean[gone2]              # fc reads the mean of conv2
    np.testing.assert_allclose(pruned.tensors["b2"].data, want_b2[keep2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pruned.tensors["bf"].data, want_bf, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(pruned.tensors["b1"].data, p["b1"][sorted(set(range(8)) - set(gone1))]
                                  .astype(np.float32))                  # nothing upstream reads a pruned channel


def test_per_layer_ratios_and_refusals():
    from tinycc.core.errors import TinyccError
    g = net()
    pruner = PruneChannels(0.0, {"c2": 0.25})               # by output tensor name
    Sequential(pruner).run(copy.deepcopy(g))
    assert pruner.pruned == {"conv2": smallest_l1(params(g)["w2"], 2)}
    pruner = PruneChannels(0.5, {"dw": 0.25})               # the depthwise prunes with conv1
    Sequential(pruner).run(copy.deepcopy(g))
    assert len(pruner.pruned["conv1"]) == 2 and len(pruner.pruned["conv2"]) == 4
    with pytest.raises(TinyccError, match="'fc' .* cannot be pruned"):
        PruneChannels(0.5, {"fc": 0.5}).run(copy.deepcopy(g))
    with pytest.raises(TinyccError, match="'conv1' and 'dw' are pruned together"):
        PruneChannels(0.5, {"conv1": 0.5, "dw": 0.25}).run(copy.deepcopy(g))


def test_max_accuracy_drop_picks_the_largest_ratio_within_the_bound():
    g, cal = net(), samples(40)
    pruned, report = prune_model(g, None, "10", cal)
    r = report["ratio"]
    ref = np.stack([interpreter.run(g, xs)[0][0] for xs in cal])

    def agreement(h):
        got = np.stack([interpreter.run(h, xs)[0][0] for xs in cal])
        return float(np.mean(got.argmax(axis=1) == ref.argmax(axis=1)))

    assert 0 < r < 0.95, report["search"]
    assert agreement(pruned) >= 0.90
    assert agreement(Sequential(PruneChannels(round(r + 0.05, 4))).run(copy.deepcopy(g))) < 0.90
    assert report["search"][-1]["ratio"] == round(r + 0.05, 4) and not report["search"][-1]["within"]
    assert report["accuracy"]["outputs"][0]["top1_agreement"] == pytest.approx(agreement(pruned))
    _, by_sqnr = prune_model(g, None, "15dB", cal)
    assert all(s["within"] == (s["outputs"][0]["sqnr_db"] >= 15) for s in by_sqnr["search"])


# ---- the CLI ----

@pytest.fixture
def model_files(tmp_path):
    path = tmp_path / "net.tflite"
    path.write_bytes(write_tflite(net()))
    cal = tmp_path / "cal.npy"
    np.save(cal, np.concatenate([s[0] for s in samples(40)]))
    return path, cal


@pytest.mark.parametrize("args, message", [
    (["--prune-channels", "1"], "ratio 1 is outside [0, 1)"),
    (["--prune-channels", "-0.1"], "ratio -0.1 is outside [0, 1)"),
    (["--prune-channels", "half"], "'half' is not a number"),
    (["--prune-channels", "c1=0.5,nope=0.5"], "no layer named 'nope'"),
    (["--prune-channels", "y=0.5"], "cannot be pruned"),
    (["--max-accuracy-drop", "2"], "--max-accuracy-drop measures the pruned model on the calibration data"),
    (["--max-accuracy-drop", "lots"], "'lots' is not a number"),
    (["--prune-channels", "0.5", "--prune-compensate"], "--prune-compensate takes the channel means from the"),
])
def test_cli_refuses_bad_values(model_files, tmp_path, capsys, args, message):
    path, _ = model_files
    assert main(["compile", str(path), "-o", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()), err
    assert not (tmp_path / "out").exists()


def test_cli_prunes_reports_and_quantises(model_files, tmp_path, capsys):
    path, cal = model_files
    assert main(["compile", str(path), "-o", str(tmp_path / "f"), "--prune-channels", "0.5",
                 "--calibration", str(cal), "--quantize", "none"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "channel pruning (smallest L1 filter norms), ratio 0.5" in text
    assert "pruned vs unpruned float on 40 calibration samples" in text
    assert main(["compile", str(path), "-o", str(tmp_path / "q"), "--max-accuracy-drop", "10",
                 "--calibration", str(cal), "--json", str(tmp_path / "q.json")]) == 0
    report = json.loads((tmp_path / "q.json").read_text())
    _, direct = prune_model(net(), None, "10", samples(40))
    assert report["pruning"]["ratio"] == direct["ratio"] > 0
    assert report["pruning"]["after"]["macs"] == report["macs"] < report["pruning"]["before"]["macs"]
    assert "accuracy" in report                          # int8 after pruning: its own report
    text = " ".join(capsys.readouterr().out.split())
    assert "--max-accuracy-drop: top-1 agreement at least 90%" in text and "int8 vs float" in text
