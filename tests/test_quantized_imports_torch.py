"""PyTorch PT2E quantisation (torchao's prepare_pt2e / convert_pt2e with the XNNPACK quantizer,
symmetric int8, per-channel weights) of a small CNN (conv + relu, a depthwise-separable block, a
residual add, max pooling, linear), compiled through both routes tinycc takes: the converted
model exported to ONNX (torch.onnx.export, dynamo) and the `.pt2` archive (torch.export.save).
For 16 random inputs the C output is within 1 LSB of the converted model's own output (torch's
quantised reference inference), the fraction exactly equal is printed, every int8 activation
tinycc keeps has one of the program's own (scale, zero point) pairs (no re-calibration), the
float biases become TFLite int32 biases (scale input x weight), and the C equals tinycc's
reference interpreter byte for byte.
"""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed (pip install 'tinycc-ml[torch]')")
pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
pytest.importorskip("torchao.quantization.pt2e", reason="torchao is not installed (PT2E quantisation lives there "
                                                        "since PyTorch 2.10: pip install torchao)")

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.driver import optimize_model  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402
from tinycc.plugins.importers.torch import load_pt2  # noqa: E402

SHAPE = (1, 3, 16, 16)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pw = torch.nn.Conv2d(8, 8, 1)
        self.fc = torch.nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        r = torch.relu(self.c1(x))
        y = torch.relu(self.pw(torch.relu(self.dw(r)))) + r
        return self.fc(torch.flatten(torch.nn.functional.max_pool2d(y, 2), 1))


def converted():
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    from torchao.testing.pt2e._xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config
    torch.manual_seed(0)
    example = (torch.randn(*SHAPE),)
    module = torch.export.export(Net().eval(), example).module()
    quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))
    prepared = prepare_pt2e(module, quantizer)
    for _ in range(16):
        prepared(torch.randn(*SHAPE))
    return convert_pt2e(prepared), example


def program_quants(model):
    """(scale, zero point) of every quantize_per_tensor in the converted program, and the output's."""
    pairs = []
    for node in model.graph.nodes:
        if node.op == "call_function" and "quantize_per_tensor" in str(node.target) and \
                "dequantize" not in str(node.target):
            pairs.append((np.float32(node.args[1]), int(node.args[2])))
    return set(pairs), pairs[-1]


@pytest.fixture(scope="module")
def pt2e():
    return converted()


@pytest.mark.parametrize("route", ["onnx", "pt2"])
def test_pt2e_quantised_cnn_keeps_its_scales_and_matches_torch(pt2e, route, tmp_path):
    model, example = pt2e
    if route == "onnx":
        torch.onnx.export(model, example, str(tmp_path / "q.onnx"), dynamo=True)
        g = optimize_model(load_onnx(tmp_path / "q.onnx"))
    else:
        torch.export.save(torch.export.export(model, example), str(tmp_path / "q.pt2"))
        g = optimize_model(load_pt2(tmp_path / "q.pt2"))
    assert [n.op for n in g.nodes if g.tensors[n.outputs[0]].dtype == "float32"] == ["transpose", "dequantize"]
    assert {"conv_2d", "depthwise_conv_2d", "add", "max_pool_2d", "fully_connected"} <= {n.op for n in g.nodes}
    pairs, (y_scale, _) = program_quants(model)
    acts = [t for t in g.tensors.values() if t.dtype == "int8" and not t.is_const]
    assert len(acts) >= 6
    for t in acts:
        assert (np.float32(t.quant.s), t.quant.zp) in pairs, (t.name, t.quant.s, t.quant.zp, pairs)
    biases = [t for t in g.tensors.values() if t.is_const and t.dtype == "int32"]
    assert len(biases) == 4
    rng = np.random.default_rng(6)
    samples = [[rng.normal(size=SHAPE).astype(np.float32)] for _ in range(16)]
    c_outs = run_exe(build(g, tmp_path), g, samples)
    diffs = []
    for xs, c in zip(samples, c_outs):
        theirs = model(torch.from_numpy(xs[0])).detach().numpy()
        np.testing.assert_array_equal(c[0], interpreter.run(g, xs)[0])
        diffs.append(np.abs(c[0].reshape(theirs.shape) - theirs).reshape(-1) / y_scale)
    lsb = np.concatenate(diffs)
    assert np.all(np.abs(lsb - np.round(lsb)) < 1e-3)          # whole LSBs: both are dequantised int8
    equal = float(np.mean(np.round(lsb) == 0))
    print(f"\nPT2E via {route}: worst {int(np.round(lsb).max())} LSB, {equal:.1%} of {lsb.size} outputs equal")
    assert np.round(lsb).max() <= 1
