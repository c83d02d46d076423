"""Dead-channel elimination (core/passes/dead_channels.py) on a PyTorch model pruned with
`torch.nn.utils.prune.ln_structured` and exported to ONNX: the channels whose filter and bias are
zero go, with the matching inputs of their consumers, through a residual ADD (only channels dead on
both sides) and a CONCATENATION; the outputs stay bit-identical (reference interpreter and the
generated C) with fewer MACs and weight bytes."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from tinycc.core import interpreter, ops
from tinycc.core.passes import Sequential
from tinycc.core.passes.constants import FoldConstants
from tinycc.core.passes.dead_channels import DeadChannels
from tinycc.core.passes.fuse import FuseActivations
from tinycc.core.passes.qdq import FoldQDQ


def export_pruned(path) -> dict[str, set[int]]:
    """Writes the pruned model; returns the pruned output channels of c1, c2, c3."""
    torch = pytest.importorskip("torch", reason="the pruned model is made with PyTorch (the torch extra)")
    pytest.importorskip("onnx", reason="the ONNX importer needs the onnx extra")
    from torch import nn
    from torch.nn.utils import prune

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 16, 3, padding=1)
            self.c2 = nn.Conv2d(16, 16, 3, padding=1)
            self.c3 = nn.Conv2d(16, 16, 1)
            self.c4 = nn.Conv2d(32, 8, 1)
            self.fc = nn.Linear(8, 5)

        def forward(self, x):
            a = torch.relu(self.c1(x))
            b = torch.relu(self.c2(a))
            r = torch.relu(self.c3(b)) + a          # residual: a channel goes only if dead on both sides
            c = torch.cat([r, b], 1)
            d = torch.relu(self.c4(c))
            return self.fc(d.mean((2, 3)))

    torch.manual_seed(0)
    m = Net().eval()
    dead = {}
    for name in ("c1", "c2", "c3"):
        mod = getattr(m, name)
        prune.ln_structured(mod, "weight", amount=0.5, n=2, dim=0)
        prune.remove(mod, "weight")
        with torch.no_grad():
            zero = mod.weight.flatten(1).abs().sum(1) == 0
            mod.bias[zero] = 0                       # structured pruning of the bias too
        dead[name] = set(np.flatnonzero(zero.numpy()).tolist())
    torch.onnx.export(m, torch.randn(1, 3, 12, 12), str(path), opset_version=17, dynamo=False)
    return dead


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pruned_torch_model_loses_dead_channels_with_identical_outputs(tmp_path):
    from tinycc.driver import load_model
    path = tmp_path / "pruned.onnx"
    dead = export_pruned(path)
    base = Sequential(FuseActivations(), FoldQDQ(), FoldConstants()).run(load_model(path))
    pruned = Sequential(DeadChannels()).run(copy.deepcopy(base))

    convs = {n.name: n for n in pruned.nodes if n.op == "conv_2d"}
    c1, c2, c3, c4 = (next(n for k, n in convs.items() if f"/{c}/" in k) for c in ("c1", "c2", "c3", "c4"))
    both = dead["c1"] & dead["c3"]
    assert len(dead["c1"]) == 8 and both != dead["c1"]           # the residual keeps some of c1's dead channels
    assert pruned.tensors[c1.inputs[1]].shape[0] == 16 - len(both)
    assert pruned.tensors[c3.inputs[1]].shape[0] == 16 - len(both)
    assert pruned.tensors[c2.inputs[1]].shape[0] == 8                      # b feeds c3 and the concat: all go
    assert pruned.tensors[c2.inputs[1]].shape[3] == 16 - len(both)         # c2 reads a
    assert pruned.tensors[c3.inputs[1]].shape[3] == 8                      # c3 reads b
    assert pruned.tensors[c4.inputs[1]].shape[3] == (16 - len(both)) + 8   # the concat of r and b

    macs = [sum(ops.macs(n, g) for n in g.nodes) for g in (base, pruned)]
    weights = [sum(t.nbytes for t in g.tensors.values() if t.is_const) for g in (base, pruned)]
    assert macs[1] < macs[0] * 0.6 and weights[1] < weights[0] * 0.6, (macs, weights)
    note = next(n for n in pruned.metadata.notes if n.startswith("dead-channel elimination"))
    assert f"MACs {macs[0]:,} -> {macs[1]:,}" in note and f"weights {weights[0]:,} -> {weights[1]:,} B" in note

    rng = np.random.default_rng(0)
    samples = [[rng.normal(0, 1, base.tensors[base.inputs[0]].shape).astype(np.float32)] for _ in range(3)]
    for xs in samples:
        np.testing.assert_array_equal(interpreter.run(pruned, xs)[0], interpreter.run(base, xs)[0])

    from tests.c_build import build, run_exe
    (tmp_path / "base").mkdir()
    (tmp_path / "pruned").mkdir()
    c_base = run_exe(build(base, tmp_path / "base"), base, samples)
    c_pruned = run_exe(build(pruned, tmp_path / "pruned"), pruned, samples)
    for a, b in zip(c_base, c_pruned):
        np.testing.assert_array_equal(a[0], b[0])        # bit-identical: only zero terms left the sums


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_compile_runs_the_pass_and_reports_it(tmp_path):
    from tinycc.driver import load_model, optimize_model
    path = tmp_path / "pruned.onnx"
    export_pruned(path)
    g = optimize_model(load_model(path))
    assert any(n.startswith("dead-channel elimination: ") for n in g.metadata.notes)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_unpruned_model_is_left_alone(tmp_path):
    from tinycc.driver import load_model
    torch = pytest.importorskip("torch", reason="the model is made with PyTorch (the torch extra)")
    pytest.importorskip("onnx", reason="the ONNX importer needs the onnx extra")
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1)).eval()
    torch.onnx.export(m, torch.randn(1, 3, 6, 6), str(tmp_path / "m.onnx"), opset_version=17, dynamo=False)
    g = load_model(tmp_path / "m.onnx")
    shapes = {k: t.shape for k, t in g.tensors.items()}
    g = Sequential(DeadChannels()).run(g)
    assert {k: t.shape for k, t in g.tensors.items()} == shapes and not g.metadata.notes
