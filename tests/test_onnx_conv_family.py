"""The ONNX convolution family on real PyTorch exports: what TinyML users' torch models emit.

Each model is a torch module exported here with torch.onnx.export (opset 17, eval mode, batch
norms given non-trivial statistics): a TC-ResNet-style Conv1d stack (residual blocks, depthwise,
grouped and dilated Conv1d, AvgPool1d with count_include_pad), an accelerometer CNN (Conv1d +
BatchNorm1d + MaxPool1d + Linear), a ConvTranspose2d autoencoder, nn.Upsample (nearest, bilinear
with align_corners True and False), SqueezeNet-style MaxPool2d(ceil_mode=True) with Fire modules,
and Linear + BatchNorm1d. Asserted: tinycc's reference interpreter and the C backend agree with
onnxruntime within 1e-4 relative (of the output's largest magnitude); the graph has the expected
core operators (batch norms folded where they can be, no layout transposes between the 1-D
layers); after int8 post-training quantisation (calibration samples, as `--calibration` does)
the C backend equals tinycc's reference byte for byte and TF Lite Micro does too; and the CLI
compiles the model with --calibration. The models also go through torch's default exporter
(torch.export-based, opset 20).
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (the PyTorch exports need it)")
onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from torch import nn  # noqa: E402

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.driver import optimize_model, quantize_model  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

RTOL = 1e-4


def randomise_batch_norms(module: nn.Module, seed: int = 0) -> nn.Module:
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.2)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)
    return module.eval()


def export(module: nn.Module, shape, path) -> tuple:
    torch.manual_seed(0)
    module = randomise_batch_norms(module)
    x = torch.randn(*shape)
    with torch.no_grad():
        torch.onnx.export(module, (x,), str(path), opset_version=17, dynamo=False, input_names=["x"],
                          output_names=["y"])
    return path


def check_float(path, shape, tmp_path, samples=3):
    """Reference and C within RTOL of onnxruntime (relative to the output's largest magnitude)."""
    g = optimize_model(load_onnx(path))
    session = ort.InferenceSession(str(path))
    rng = np.random.default_rng(1)
    xs = [[rng.normal(size=shape).astype(np.float32)] for _ in range(samples)]
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = session.run(None, {"x": x[0]})[0]
        tol = RTOL * max(float(np.abs(expected).max()), 1e-3)
        np.testing.assert_allclose(interpreter.run(g, x)[0].reshape(expected.shape), expected, rtol=RTOL, atol=tol)
        np.testing.assert_allclose(c_outs[k][0].reshape(expected.shape), expected, rtol=RTOL, atol=tol)
    return g


def check_int8(g, shape, tmp_path, tflm=True):
    """int8 PTQ (as --calibration does): C equals the reference byte for byte, and so does TFLM."""
    rng = np.random.default_rng(2)
    cal = [[rng.normal(size=shape).astype(np.float32)] for _ in range(16)]
    gq = quantize_model(g, {"calibration": cal})
    assert any(t.dtype == "int8" for t in gq.tensors.values())
    xs = [[rng.normal(size=shape).astype(np.float32)] for _ in range(3)]
    workdir = tmp_path / "int8"
    workdir.mkdir()
    c_outs = run_exe(build(gq, workdir), gq, xs)
    refs = [interpreter.run(gq, x)[0] for x in xs]
    for k in range(len(xs)):
        np.testing.assert_array_equal(c_outs[k][0].reshape(refs[k].shape), refs[k])
    if tflm:
        from tests.tflm import run_tflm
        from tinycc.backends.tflm.flatbuffer import write_tflite
        model = write_tflite(gq)
        for k, x in enumerate(xs):
            np.testing.assert_array_equal(run_tflm(model, x)[0].reshape(refs[k].shape), refs[k])
    return gq


def ops(g):
    return [n.op for n in g.nodes]


class TCResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(cin, cout, 9, stride=stride, padding=4, bias=False)
        self.bn1 = nn.BatchNorm1d(cout)
        self.conv2 = nn.Conv1d(cout, cout, 9, padding=4, bias=False)
        self.bn2 = nn.BatchNorm1d(cout)
        self.short = nn.Sequential(nn.Conv1d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm1d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.short(x))


class TCResNet(nn.Module):
    """TC-ResNet8-like keyword spotter on 40 MFCCs x 49 frames (channels = MFCCs, width = time)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv1d(40, 16, 3, padding=1, bias=False)
        self.blocks = nn.Sequential(TCResBlock(16, 24, 2), TCResBlock(24, 32, 2))
        self.dw = nn.Conv1d(32, 32, 5, padding=4, dilation=2, groups=32)      # depthwise, dilated
        self.grouped = nn.Conv1d(32, 32, 3, padding=1, groups=4)             # grouped
        self.pool = nn.AvgPool1d(3, stride=2, padding=1)                     # count_include_pad=True
        self.head = nn.Linear(32, 12)

    def forward(self, x):
        y = self.blocks(self.stem(x))
        y = self.pool(torch.relu(self.grouped(torch.relu(self.dw(y)))))
        return self.head(nn.functional.adaptive_avg_pool1d(y, 1).flatten(1))


def test_tc_resnet_conv1d_stack(tmp_path):
    shape = (1, 40, 49)
    g = check_float(export(TCResNet(), shape, tmp_path / "tcresnet.onnx"), shape, tmp_path)
    seq = ops(g)
    assert "mul" not in seq, seq                 # every batch norm folded into its convolution
    assert seq.count("transpose") == 2, seq      # into (N, 1, W, C) once, back to (N, C, W) once
    assert seq.count("depthwise_conv_2d") == 1 and seq.count("pad") == 1 and seq.count("concatenation") == 1
    check_int8(g, shape, tmp_path)


class AccelCNN(nn.Module):
    """Human-activity recognition on 3-axis accelerometer windows of 128 samples."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 16, 5), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(3, stride=2, ceil_mode=True))
        self.classifier = nn.Linear(32 * 31, 6)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def test_accelerometer_cnn(tmp_path):
    shape = (1, 3, 128)
    path = export(AccelCNN(), shape, tmp_path / "accel.onnx")
    g = check_float(path, shape, tmp_path)
    assert ops(g) == ["reshape", "transpose", "conv_2d", "max_pool_2d", "conv_2d", "max_pool_2d", "transpose",
                      "reshape", "reshape", "fully_connected"], ops(g)     # batch norms folded, relus fused
    check_int8(g, shape, tmp_path)
    rng = np.random.default_rng(3)
    np.savez(tmp_path / "cal.npz", x=rng.normal(size=(8, *shape)).astype(np.float32))
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "--calibration",
                           str(tmp_path / "cal.npz"), "-o", str(tmp_path / "out"), "--name", "accel"],
                          capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "int8" in (tmp_path / "out" / "accel.c").read_text()


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.dec = nn.Sequential(nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                 nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), nn.ReLU(),
                                 nn.ConvTranspose2d(4, 1, 3, padding=2, dilation=2, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


def test_conv_transpose_autoencoder(tmp_path):
    shape = (1, 1, 16, 16)
    g = check_float(export(AutoEncoder(), shape, tmp_path / "ae.onnx"), shape, tmp_path)
    seq = ops(g)
    assert seq.count("transpose_conv") == 3, seq
    # k3 s2 p1 output_padding 1 places windows where TF Lite's SAME does not: VALID + SLICE; k4 s2 p1
    # is TF Lite's SAME exactly, and so is the dilated k3 (a k5 with zero taps, p2)
    assert seq.count("slice") == 1, seq
    assert [g.tensors[n.inputs[1]].shape for n in g.nodes if n.op == "transpose_conv"][2] == (1, 5, 5, 4)
    check_int8(g, shape, tmp_path)


@pytest.mark.parametrize("mode, align", [("nearest", None), ("bilinear", False), ("bilinear", True)])
def test_upsample(mode, align, tmp_path):
    shape = (1, 4, 6, 5)
    model = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
                          nn.Upsample(scale_factor=2, mode=mode, align_corners=align), nn.Conv2d(8, 2, 1))
    g = check_float(export(model, shape, tmp_path / "up.onnx"), shape, tmp_path)
    core = "resize_nearest_neighbor" if mode == "nearest" else "resize_bilinear"
    resize = next(n for n in g.nodes if n.op == core)
    assert resize.attrs["size"] == (12, 10)
    assert (resize.attrs["align_corners"], resize.attrs["half_pixel_centers"]) == \
        {None: (False, False), False: (False, True), True: (True, False)}[align]
    check_int8(g, shape, tmp_path)


def test_upsample_1d_nearest(tmp_path):
    shape = (1, 3, 10)
    model = nn.Sequential(nn.Conv1d(3, 4, 3, padding=1), nn.Upsample(scale_factor=3, mode="nearest"),
                          nn.Conv1d(4, 2, 3))
    g = check_float(export(model, shape, tmp_path / "up1d.onnx"), shape, tmp_path)
    assert "resize_nearest_neighbor" in ops(g) and ops(g).count("transpose") == 2


class Fire(nn.Module):
    def __init__(self, cin, squeeze, expand):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.e1 = nn.Conv2d(squeeze, expand, 1)
        self.e3 = nn.Conv2d(squeeze, expand, 3, padding=1)

    def forward(self, x):
        s = torch.relu(self.squeeze(x))
        return torch.cat([torch.relu(self.e1(s)), torch.relu(self.e3(s))], 1)


def test_squeezenet_ceil_mode_pools(tmp_path):
    shape = (1, 3, 33, 33)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
                          Fire(16, 4, 8), nn.MaxPool2d(3, 2, ceil_mode=True), Fire(16, 4, 8),
                          nn.Conv2d(16, 5, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    g = check_float(export(model, shape, tmp_path / "squeeze.onnx"), shape, tmp_path)
    pools = [n for n in g.nodes if n.op == "max_pool_2d"]
    # 16x16 -> ceil((16 - 3) / 2) + 1 = 8 (floor mode: 7): the window overhang is end padding
    assert [g.tensors[p.outputs[0]].shape[1] for p in pools] == [8, 4]
    assert pools[0].attrs["pads"] == (0, 0, 1, 1)
    check_int8(g, shape, tmp_path)


def test_linear_batchnorm1d(tmp_path):
    shape = (1, 20)
    model = nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.BatchNorm1d(32), nn.Linear(32, 4))
    g = check_float(export(model, shape, tmp_path / "linbn.onnx"), shape, tmp_path)
    # the first batch norm folds into the Linear before it; the second follows a ReLU: a 1x1 depthwise
    assert ops(g) == ["fully_connected", "reshape", "depthwise_conv_2d", "reshape", "fully_connected"], ops(g)
    check_int8(g, shape, tmp_path)


def test_torch_export_based_exporter_models(tmp_path):
    """The same models through torch's default (torch.export-based, opset 20) exporter: it folds the
    batch norms itself and emits ReduceMean/Unsqueeze/Squeeze for adaptive pooling; reference within
    1e-4 of onnxruntime."""
    pytest.importorskip("onnxscript", reason="onnxscript is not installed (torch's dynamo ONNX exporter needs it)")
    import warnings
    models = [(TCResNet(), (1, 40, 49)), (AccelCNN(), (1, 3, 128)), (AutoEncoder(), (1, 1, 16, 16)),
              (nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.Upsample(scale_factor=2, mode="bilinear")),
               (1, 4, 6, 5)),
              (nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.BatchNorm1d(32)), (1, 20))]
    rng = np.random.default_rng(4)
    for k, (module, shape) in enumerate(models):
        path = tmp_path / f"m{k}.onnx"
        torch.manual_seed(0)
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(randomise_batch_norms(module), (torch.randn(*shape),), str(path), dynamo=True,
                              input_names=["x"], verbose=False)
        g = load_onnx(path)
        x = rng.normal(size=shape).astype(np.float32)
        expected = ort.InferenceSession(str(path)).run(None, {"x": x})[0]
        tol = RTOL * max(float(np.abs(expected).max()), 1e-3)
        np.testing.assert_allclose(interpreter.run(g, [x])[0].reshape(expected.shape), expected, rtol=RTOL, atol=tol,
                                   err_msg=f"model {k}")
