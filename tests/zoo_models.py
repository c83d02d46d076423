"""A model zoo of MCU-sized architectures TinyML users train, built here with random seeded weights
(nothing downloaded, nothing committed): test and benchmark support for tests/test_model_zoo.py and
benchmarks/model_zoo.py.

Each `Arch` of ZOO names an architecture, its framework ("pytorch": an nn.Module exported by
torch.onnx.export, opset 17; "keras": a Keras 3 model saved as `.keras`), its task ("classifier"
scored by top-1 agreement, "regressor" by SQNR), a writer of the model file and a generator of
"random but structured" inputs: smooth random images (sums of 2-D sinusoids plus noise), MFCC-like
frames (tests/transformer_models.mfcc_like), accelerometer windows (sinusoids per axis plus noise)
and log-mel-like frame stacks. Weights are He-initialised (variance kept through ReLU layers, so
logits stay spread over the 10 / 12 classes instead of collapsing onto the biases) and batch norms
get non-trivial statistics. The PyTorch models are then trained briefly (`fit`: FIT_STEPS Adam steps on
their synthetic task: the Clustered inputs' classes, or reconstructing the input), as the models users
deploy are trained: untrained, random filters amplify noise layer by layer (40 dB of input noise left
MobileNetV1 at 20 dB, where MLPerf Tiny's trained nets attenuate it to 58-87 dB) and leave top-1
margins a fraction of the logits' spread, so int8 rounding flipped predictions whatever the quantiser
(TensorFlow's PTQ missed the same models). `load(arch, folder)` writes and imports the model and returns
(float graph, the framework's function from an input array to the output array: onnxruntime for
the PyTorch exports, the Keras model itself for Keras).

Reused from the other suites: TCResNet, AccelCNN and Fire from
tests/test_onnx_conv_family.py, the KWT transformer from tests/transformer_models.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.transformer_models import mfcc_like

IMAGE = (32, 32, 3)             # H, W, C of the image classifiers
KWS_FRAMES, KWS_COEFFS = 49, 10
RNN_FRAMES = 25                 # the unrolled recurrent nets: fewer steps keep the tests fast
AD_DIM = 160                    # autoencoder input: 5 frames x 32 log-mel bins (MLPerf AD uses 5 x 128)
FIT_STEPS, FIT_BATCH, FIT_LR = 100, 32, 2e-3     # the PyTorch zoo's short training run (`fit`)


# ------------------------------------------------------------------ structured inputs

def smooth_images(rng: np.random.Generator, n: int, shape=IMAGE) -> list[np.ndarray]:
    """(1, H, W, C): per channel a sum of four random 2-D sinusoids, plus a little noise."""
    h, w, c = shape
    yy, xx = np.meshgrid(np.arange(h) / h, np.arange(w) / w, indexing="ij")
    out = []
    for _ in range(n):
        img = np.zeros(shape)
        for ch in range(c):
            for _ in range(4):
                fy, fx = rng.uniform(-3, 3, 2)
                img[..., ch] += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * (fy * yy + fx * xx) + rng.uniform(0, 6.3))
        out.append((img + rng.normal(scale=0.1, size=shape))[None].astype(np.float32))
    return out


def kws_mfcc(rng: np.random.Generator, n: int, frames: int = KWS_FRAMES, coeffs: int = KWS_COEFFS):
    """(1, frames, coeffs) MFCC-like inputs (the first frames and coefficients of mfcc_like)."""
    return [x[:, :frames, :coeffs] for x in mfcc_like(rng, n)]


def accelerometer(rng: np.random.Generator, n: int, length: int = 128) -> list[np.ndarray]:
    """(1, 3, length): three axes of two sinusoids each (random frequency, phase), plus noise."""
    t = np.arange(length) / length
    out = []
    for _ in range(n):
        axes = [sum(rng.uniform(0.3, 1.5) * np.sin(2 * np.pi * rng.uniform(1, 12) * t + rng.uniform(0, 6.3))
                    for _ in range(2)) for _ in range(3)]
        out.append((np.stack(axes) + rng.normal(scale=0.15, size=(3, length)))[None].astype(np.float32))
    return out


def log_mel_frames(rng: np.random.Generator, n: int, dim: int = AD_DIM) -> list[np.ndarray]:
    """(1, dim): five frames of a smooth random spectrum (a random walk over bins, tilted), plus noise."""
    bins = dim // 5
    out = []
    for _ in range(n):
        spectrum = rng.normal(size=bins).cumsum() * 0.3 - np.linspace(0, 1.5, bins)
        frames = spectrum + rng.normal(scale=0.2, size=(5, bins)).cumsum(axis=0) * 0.5
        out.append(frames.reshape(1, dim).astype(np.float32))
    return out


def nchw(make):
    """An NHWC input generator turned NCHW (PyTorch's layout)."""
    return lambda rng, n: [np.ascontiguousarray(x.transpose(0, 3, 1, 2)) for x in make(rng, n)]


def channels_first(make):
    """(1, T, F) -> (1, F, T): MFCCs as Conv1d channels."""
    return lambda rng, n: [np.ascontiguousarray(x.transpose(0, 2, 1)) for x in make(rng, n)]


# ------------------------------------------------------------------ PyTorch architectures

def _torch():
    return pytest.importorskip("torch", reason="the PyTorch zoo is exported with torch.onnx.export (pip install torch)")


def he_init(module, seed: int):
    """He-normal conv / linear weights, small random biases, batch norms' scale and shift random."""
    torch = _torch()
    nn = torch.nn
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            w = m.weight.data
            fan_in = w[0].numel() if not isinstance(m, nn.ConvTranspose2d) else w.shape[0] * w[0, 0].numel()
            w.copy_(torch.randn(w.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            if m.bias is not None:
                m.bias.data.copy_(torch.randn(m.bias.shape, generator=gen) * 0.05)
        elif isinstance(m, (nn.LSTM, nn.GRU)):
            for name, p in m.named_parameters():
                p.data.copy_(torch.randn(p.shape, generator=gen) * (0.05 if "bias" in name else p.shape[1] ** -0.5))
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
    return module.eval()


def data_init(module, x, skip=()):
    """What training leaves behind, without training: in forward order, each batch norm gets the statistics
    of its input over the sample batch `x`, and each biased conv / linear layer not followed by one (except
    those in `skip`) is rescaled so its output channels have mean 0 and variance 1 over the batch (LSUV-style
    initialisation). Without it, random nets' pooled features hardly depend on the input."""
    torch = _torch()
    nn = torch.nn
    norms = (nn.BatchNorm1d, nn.BatchNorm2d)
    layers = [m for m in module.modules()
              if isinstance(m, norms) or (isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear))
                                          and m.bias is not None and all(m is not s for s in skip))]
    module.eval()
    for m in layers:
        seen: dict = {}
        handle = m.register_forward_hook(lambda mod, args, out, seen=seen: seen.update(x=args[0], y=out))
        with torch.no_grad():
            module(x)
        handle.remove()
        dims = [0] + list(range(2, seen["x"].dim()))
        with torch.no_grad():
            if isinstance(m, norms):
                m.running_mean.copy_(seen["x"].mean(dim=dims))
                m.running_var.copy_(seen["x"].var(dim=dims))
            else:
                mean, std = seen["y"].mean(dim=dims), seen["y"].std(dim=dims).clamp_min(1e-3)
                axis = 1 if isinstance(m, nn.ConvTranspose2d) else 0
                shape = [1] * m.weight.dim()
                shape[axis] = -1
                m.weight.div_(std.reshape(shape))
                m.bias.copy_((m.bias - mean) / std)
    return module


def _bn_act(nn, cin, cout, k, stride=1, groups=1, act=None, dims=2):
    conv = (nn.Conv2d if dims == 2 else nn.Conv1d)(cin, cout, k, stride, padding=k // 2, groups=groups, bias=False)
    bn = (nn.BatchNorm2d if dims == 2 else nn.BatchNorm1d)(cout)
    return nn.Sequential(conv, bn, *([act()] if act else []))


def torch_ds_cnn():
    """DS-CNN (Hello Edge's KWS): a 10x4 stride-2 conv, four depthwise-separable blocks, average pool, 12 classes."""
    nn = _torch().nn
    c = 32
    layers = [nn.Conv2d(1, c, (10, 4), stride=2, padding=(5, 1), bias=False), nn.BatchNorm2d(c), nn.ReLU()]
    for _ in range(4):
        layers += [*_bn_act(nn, c, c, 3, groups=c, act=nn.ReLU), *_bn_act(nn, c, c, 1, act=nn.ReLU)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 12))


def torch_mobilenet_v1():
    """MobileNetV1 at width 0.25 on 32x32: depthwise-separable blocks with ReLU6, 10 classes."""
    nn = _torch().nn
    layers = list(_bn_act(nn, 3, 8, 3, 2, act=nn.ReLU6))
    cin = 8
    for cout, stride in ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2)):
        layers += [*_bn_act(nn, cin, cin, 3, stride, groups=cin, act=nn.ReLU6), *_bn_act(nn, cin, cout, 1,
                                                                                          act=nn.ReLU6)]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def _inverted_residual(nn, cin, cout, stride, expand, act, se=None):
    """MobileNetV2 / V3 / MBConv block: 1x1 expand, 3x3 depthwise, optional squeeze-excite, 1x1 linear
    projection; the residual add when shapes allow."""
    hidden = cin * expand

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.expand = _bn_act(nn, cin, hidden, 1, act=act) if expand != 1 else nn.Identity()
            self.dw = _bn_act(nn, hidden, hidden, 3, stride, groups=hidden, act=act)
            self.se = se(hidden) if se else nn.Identity()
            self.project = _bn_act(nn, hidden, cout, 1)
            self.residual = stride == 1 and cin == cout

        def forward(self, x):
            y = self.project(self.se(self.dw(self.expand(x))))
            return x + y if self.residual else y

    return Block()


def torch_mobilenet_v2():
    """MobileNetV2 blocks (expansion 4, ReLU6, linear bottlenecks, residual adds), 10 classes."""
    nn = _torch().nn
    layers = [*_bn_act(nn, 3, 16, 3, 2, act=nn.ReLU6)]
    cin = 16
    for cout, stride in ((16, 1), (24, 2), (24, 1), (32, 2), (32, 1)):
        layers.append(_inverted_residual(nn, cin, cout, stride, 4, nn.ReLU6))
        cin = cout
    return nn.Sequential(*layers, *_bn_act(nn, cin, 128, 1, act=nn.ReLU6), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, 10))


def _squeeze_excite(gate: str):
    torch = _torch()
    nn = torch.nn

    class SE(nn.Module):
        """Global average pool, 1x1 reduce + ReLU, 1x1 expand + gate (hard sigmoid or sigmoid), channel scaling."""

        def __init__(self, c):
            super().__init__()
            self.reduce, self.expand = nn.Conv2d(c, max(c // 4, 4), 1), nn.Conv2d(max(c // 4, 4), c, 1)
            self.gate = nn.Hardsigmoid() if gate == "hard" else nn.Sigmoid()

        def forward(self, x):
            s = x.mean(dim=(2, 3), keepdim=True)
            return x * self.gate(self.expand(torch.relu(self.reduce(s))))

    return SE


def torch_mobilenet_v3_small():
    """MobileNetV3-small-ish: hard-swish stem and head, inverted residuals with squeeze-excite (hard sigmoid)."""
    nn = _torch().nn
    se = _squeeze_excite("hard")
    layers = [*_bn_act(nn, 3, 16, 3, 2, act=nn.Hardswish),
              _inverted_residual(nn, 16, 16, 2, 1, nn.ReLU, se),
              _inverted_residual(nn, 16, 24, 2, 4, nn.ReLU),
              _inverted_residual(nn, 24, 24, 1, 3, nn.ReLU),
              _inverted_residual(nn, 24, 40, 2, 4, nn.Hardswish, se),
              _inverted_residual(nn, 40, 40, 1, 3, nn.Hardswish, se),
              *_bn_act(nn, 40, 96, 1, act=nn.Hardswish)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, 64), nn.Hardswish(),
                         nn.Linear(64, 10))


def torch_efficientnet():
    """EfficientNet-ish: MBConv blocks with Swish written x * sigmoid(x) and squeeze-excite (sigmoid)."""
    torch = _torch()
    nn = torch.nn

    class Swish(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(x)

    se = _squeeze_excite("sigmoid")
    layers = [*_bn_act(nn, 3, 16, 3, 2, act=Swish),
              _inverted_residual(nn, 16, 16, 1, 1, Swish, se),
              _inverted_residual(nn, 16, 24, 2, 4, Swish, se),
              _inverted_residual(nn, 24, 24, 1, 4, Swish, se),
              _inverted_residual(nn, 24, 40, 2, 4, Swish, se),
              *_bn_act(nn, 40, 128, 1, act=Swish)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))


def torch_shufflenet_v2():
    """ShuffleNetV2 units: channel split, a 1x1 / depthwise 3x3 / 1x1 branch, concat, channel shuffle."""
    torch = _torch()
    nn = torch.nn

    def shuffle(x, groups=2):
        n, c, h, w = x.shape
        return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)

    class Unit(nn.Module):
        def __init__(self, c):
            super().__init__()
            half = c // 2
            self.branch = nn.Sequential(*_bn_act(nn, half, half, 1, act=nn.ReLU), *_bn_act(nn, half, half, 3,
                                                                                            groups=half),
                                        *_bn_act(nn, half, half, 1, act=nn.ReLU))

        def forward(self, x):
            a, b = x.chunk(2, dim=1)
            return shuffle(torch.cat([a, self.branch(b)], 1))

    class Down(nn.Module):
        """The stride-2 unit: both branches see all channels, each gives half the output."""

        def __init__(self, cin, cout):
            super().__init__()
            half = cout // 2
            self.left = nn.Sequential(*_bn_act(nn, cin, cin, 3, 2, groups=cin), *_bn_act(nn, cin, half, 1,
                                                                                          act=nn.ReLU))
            self.right = nn.Sequential(*_bn_act(nn, cin, half, 1, act=nn.ReLU),
                                       *_bn_act(nn, half, half, 3, 2, groups=half),
                                       *_bn_act(nn, half, half, 1, act=nn.ReLU))

        def forward(self, x):
            return shuffle(torch.cat([self.left(x), self.right(x)], 1))

    return nn.Sequential(*_bn_act(nn, 3, 24, 3, 2, act=nn.ReLU), Down(24, 48), Unit(48), Unit(48), Down(48, 96),
                         Unit(96), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, 10))


def torch_squeezenet():
    """SqueezeNet: ceil_mode max pools between Fire modules (tests/test_onnx_conv_family.Fire), a 1x1 conv head."""
    nn = _torch().nn
    from tests.test_onnx_conv_family import Fire
    return nn.Sequential(nn.Conv2d(3, 32, 3, stride=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
                         Fire(32, 8, 16), Fire(32, 8, 16), nn.MaxPool2d(3, 2, ceil_mode=True), Fire(32, 12, 24),
                         nn.Conv2d(48, 10, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def torch_resnet8():
    """ResNet-8 of MLPerf Tiny image classification: 16, 32, 64 channels, 1x1 shortcuts on the downsampling blocks."""
    torch = _torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.a = _bn_act(nn, cin, cout, 3, stride, act=nn.ReLU)
            self.b = _bn_act(nn, cout, cout, 3)
            self.short = nn.Conv2d(cin, cout, 1, stride) if stride != 1 else nn.Identity()

        def forward(self, x):
            return torch.relu(self.b(self.a(x)) + self.short(x))

    return nn.Sequential(*_bn_act(nn, 3, 16, 3, act=nn.ReLU), Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def torch_tc_resnet():
    from tests.test_onnx_conv_family import TCResNet
    return TCResNet()


def torch_accelerometer():
    from tests.test_onnx_conv_family import AccelCNN
    return AccelCNN()


def torch_rnn_kws(kind: str):
    """nn.LSTM / nn.GRU over MFCC frames (batch first), the last step's state -> 12 classes."""
    nn = _torch().nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, kind)(KWS_COEFFS, 32, batch_first=True)
            self.head = nn.Linear(32, 12)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.head(y[:, -1])

    return Net()


def torch_unet():
    """U-Net-tiny denoiser (a regressor): two encoder levels, ConvTranspose2d up, skip concat, 1-channel output."""
    torch = _torch()
    nn = torch.nn

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.e1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
            self.e2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
            self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
            self.d1 = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 1))

        def forward(self, x):
            a = self.e1(x)
            return self.d1(torch.cat([self.up(self.e2(a)), a], 1))

    return UNet()


def torch_autoencoder():
    """MLPerf AD-like dense autoencoder (Linear + BatchNorm1d + ReLU, an 8-wide bottleneck), a regressor."""
    nn = _torch().nn

    def dense(cin, cout):
        return [nn.Linear(cin, cout), nn.BatchNorm1d(cout), nn.ReLU()]

    return nn.Sequential(*dense(AD_DIM, 64), *dense(64, 64), *dense(64, 8), *dense(8, 64), *dense(64, 64),
                         nn.Linear(64, AD_DIM))


class Clustered:
    """Inputs of a classifier: one of `classes` fixed prototypes (drawn once from `make`, seeded) plus a fresh
    random structured sample from `make`, scaled by `spread`. `labelled` also gives each input's class."""

    def __init__(self, make: Callable, classes: int, spread: float = 0.5, seed: int = 12345):
        self.make, self.classes, self.spread = make, classes, spread
        self.prototypes = make(np.random.default_rng(seed), classes)

    def labelled(self, rng: np.random.Generator, n: int) -> tuple[list[np.ndarray], np.ndarray]:
        labels = rng.permutation(np.arange(n) % self.classes)
        return [(self.prototypes[c] + self.spread * x).astype(np.float32)
                for c, x in zip(labels, self.make(rng, n))], labels

    def __call__(self, rng: np.random.Generator, n: int) -> list[np.ndarray]:
        return self.labelled(rng, n)[0]


def class_mean_head(features: np.ndarray, labels: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """A linear classifier fitted in closed form (no training loop): class c's weights are the unit direction
    from the mean feature to class c's mean feature (features: samples x d, pooled); (W (classes x d), b)."""
    f = features.astype(np.float64)
    mu = f.mean(axis=0)
    w = np.stack([f[labels == c].mean(axis=0) - mu for c in range(classes)])
    w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
    scale = 3.0 / max(float(((f - mu) @ w.T).std()), 1e-12)        # logits spread over a few units
    return (w * scale).astype(np.float32), (-(w @ mu) * scale).astype(np.float32)


def fit(module, inputs: Callable, task: str, rng: np.random.Generator, batch, steps: int = FIT_STEPS):
    """A short training run (Adam, fresh samples each step): a classifier on `inputs.labelled`'s classes
    (cross-entropy), a regressor reconstructing its input (mean squared error); then each batch norm's
    statistics are those of `batch` again (eval mode, as a trained model is exported). Untrained, the
    random filters respond weakly to the structured inputs and each data-normalised layer scales the
    response up: 40 dB of input noise comes out at 20-28 dB (MobileNetV1, SqueezeNet, EfficientNet, the
    autoencoder), where trained nets (MLPerf Tiny's) attenuate it (58-87 dB)."""
    torch = _torch()
    norms = [m for m in module.modules() if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))]
    opt = torch.optim.Adam(module.parameters(), lr=FIT_LR)
    module.train()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                # tiny batches: threads only contend (and on a shared machine)
    try:
        _fit_steps(torch, module, opt, inputs, task, rng, steps)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():                   # batch norms: the statistics of the batch (cumulative average)
        for m in norms:
            m.reset_running_stats()
            m.momentum = None
        module(batch)
    return module.eval()


def _fit_steps(torch, module, opt, inputs: Callable, task: str, rng: np.random.Generator, steps: int) -> None:
    with torch.enable_grad():
        for _ in range(steps):
            if task == "classifier":
                xs, labels = inputs.labelled(rng, FIT_BATCH)
                x = torch.from_numpy(np.concatenate(xs))
                loss = torch.nn.functional.cross_entropy(module(x), torch.from_numpy(labels).long())
            else:
                x = torch.from_numpy(np.concatenate(inputs(rng, FIT_BATCH)))
                loss = torch.nn.functional.mse_loss(module(x), x)
            opt.zero_grad()
            loss.backward()
            opt.step()


def _torch_writer(make: Callable, inputs: Callable, task: str, seed: int):
    def write(folder: Path) -> Path:
        torch = _torch()
        torch.manual_seed(seed)
        module = he_init(make(), seed)
        rng = np.random.default_rng(1000 + seed)
        xs, labels = inputs.labelled(rng, 64) if task == "classifier" else (inputs(rng, 64), None)
        last = [m for m in module.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))][-1]
        batch = torch.from_numpy(np.concatenate(xs))
        data_init(module, batch, skip=[last])     # the output layer keeps its scale: a regressor's output mean
        if task == "classifier":
            seen = {}
            handle = last.register_forward_hook(lambda mod, args, out: seen.update(x=args[0]))
            with torch.no_grad():
                module(batch)
            handle.remove()
            f = seen["x"].numpy()
            w, b = class_mean_head(f.mean(axis=tuple(range(2, f.ndim))) if f.ndim > 2 else f, labels,
                                   last.weight.shape[0])
            with torch.no_grad():
                last.weight.copy_(torch.from_numpy(w.reshape(last.weight.shape)))
                last.bias.copy_(torch.from_numpy(b))
        fit(module, inputs, task, np.random.default_rng(2000 + seed), batch)
        path = folder / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(module, (torch.from_numpy(xs[0]),), str(path), opset_version=17, dynamo=False,
                              input_names=["x"], output_names=["y"])
        return path
    return write


def _torch_kwt(folder: Path) -> Path:
    from tests.transformer_models import torch_onnx
    return torch_onnx(folder / "model.onnx", opset=17)


# ------------------------------------------------------------------ Keras architectures

def _keras():
    pytest.importorskip("tensorflow", reason="Keras models are converted by TensorFlow's TFLiteConverter "
                                             "(pip install 'tinycc-ml[keras]')")
    import keras
    return keras


class _SeededKeras:
    """`keras` for the builders, with every initializer they name seeded from one counter: Keras 3's
    unseeded initializers draw differently depending on what the process built before."""

    def __init__(self, keras, seed: int):
        self._keras, self._next = keras, iter(range(seed * 1000, seed * 1000 + 1000))
        self.layers, self.Input, self.Model = keras.layers, keras.Input, keras.Model

    @property
    def initializers(self):
        outer = self

        class Seeded:
            def __getattr__(self, name):
                return lambda *args, **kw: getattr(outer._keras.initializers, name)(*args, seed=next(outer._next), **kw)
        return Seeded()


def _k_bn(k):
    return k.layers.BatchNormalization(
        momentum=0.0, gamma_initializer=k.initializers.RandomUniform(0.5, 1.5),
        beta_initializer=k.initializers.RandomNormal(0, 0.1),
        moving_mean_initializer=k.initializers.RandomNormal(0, 0.2),
        moving_variance_initializer=k.initializers.RandomUniform(0.5, 1.5))


def _k_conv(k, y, filters, kernel, strides=1, act="relu", depthwise=False):
    init = k.initializers.HeNormal()
    if depthwise:
        y = k.layers.DepthwiseConv2D(kernel, strides, padding="same", use_bias=False, depthwise_initializer=init)(y)
    else:
        y = k.layers.Conv2D(filters, kernel, strides, padding="same", use_bias=False, kernel_initializer=init)(y)
    y = _k_bn(k)(y)
    return k.layers.Activation(act)(y) if act else y


def keras_ds_cnn(k):
    x = k.Input((KWS_FRAMES, KWS_COEFFS, 1))
    y = _k_conv(k, x, 32, (10, 4), 2)
    for _ in range(4):
        y = _k_conv(k, _k_conv(k, y, 0, 3, depthwise=True), 32, 1)
    y = k.layers.GlobalAveragePooling2D()(y)
    return k.Model(x, k.layers.Dense(12, kernel_initializer=k.initializers.HeNormal())(y))


def keras_mobilenet_v2(k):
    x = k.Input(IMAGE)
    y = _k_conv(k, x, 16, 3, 2, act="relu6")
    cin = 16
    for cout, stride in ((16, 1), (24, 2), (24, 1), (32, 2), (32, 1)):
        z = _k_conv(k, y, cin * 4, 1, act="relu6")
        z = _k_conv(k, z, 0, 3, stride, act="relu6", depthwise=True)
        z = _k_conv(k, z, cout, 1, act=None)
        y = k.layers.Add()([y, z]) if stride == 1 and cin == cout else z
        cin = cout
    y = k.layers.GlobalAveragePooling2D()(_k_conv(k, y, 128, 1, act="relu6"))
    return k.Model(x, k.layers.Dense(10, kernel_initializer=k.initializers.HeNormal())(y))


def keras_rnn_kws(kind: str):
    def make(k):
        x = k.Input((RNN_FRAMES, KWS_COEFFS))
        y = getattr(k.layers, kind)(32, kernel_initializer=k.initializers.GlorotUniform(),
                                    recurrent_initializer=k.initializers.Orthogonal())(x)
        return k.Model(x, k.layers.Dense(12, kernel_initializer=k.initializers.GlorotUniform())(y))
    return make


def keras_unet(k):
    x = k.Input((32, 32, 1))
    def he():
        return k.initializers.HeNormal()
    a = k.layers.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer=he())(x)
    b = k.layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=he())(k.layers.MaxPooling2D()(a))
    u = k.layers.Conv2DTranspose(8, 2, strides=2, kernel_initializer=he())(b)
    y = k.layers.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer=he())(
        k.layers.Concatenate()([u, a]))
    return k.Model(x, k.layers.Conv2D(1, 1, kernel_initializer=he())(y))


def keras_autoencoder(k):
    x = k.Input((AD_DIM,))
    y = x
    for units in (64, 64, 8, 64, 64):
        y = k.layers.Dense(units, kernel_initializer=k.initializers.HeNormal())(y)
        y = k.layers.Activation("relu")(_k_bn(k)(y))
    return k.Model(x, k.layers.Dense(AD_DIM, kernel_initializer=k.initializers.HeNormal())(y))


def _keras_writer(make: Callable, inputs: Callable, task: str, seed: int):
    def write(folder: Path) -> Path:
        k = _keras()
        k.utils.set_random_seed(seed)
        model = make(_SeededKeras(k, seed))
        rng = np.random.default_rng(1000 + seed)
        xs, labels = inputs.labelled(rng, 64) if task == "classifier" else (inputs(rng, 64), None)
        if any(isinstance(layer, k.layers.BatchNormalization) for layer in model.layers):
            model(np.concatenate(xs), training=True)    # momentum 0: the moving statistics become the batch's
        if task == "classifier":
            last = model.layers[-1]
            f = np.asarray(k.Model(model.inputs, last.input)([np.concatenate(xs)]))
            w, b = class_mean_head(f, labels, last.units)
            last.set_weights([w.T.copy(), b])
        path = folder / "model.keras"
        model.save(str(path))
        return path
    return write


def _keras_kwt(folder: Path) -> Path:
    from tests.transformer_models import keras_file
    return keras_file(folder / "model.keras")


# ------------------------------------------------------------------ the zoo

@dataclass(frozen=True)
class Arch:
    name: str
    framework: str                                   # "pytorch" (ONNX export) or "keras" (.keras)
    task: str                                        # "classifier" or "regressor"
    write: Callable[[Path], Path]                    # writes the model file into a folder, returns its path
    inputs: Callable[[np.random.Generator, int], list[np.ndarray]]

    @property
    def id(self) -> str:
        return f"{self.name}-{self.framework}"


def _pt(name, task, make, inputs, seed, classes=10):
    inputs = Clustered(inputs, classes) if task == "classifier" else inputs
    return Arch(name, "pytorch", task, _torch_writer(make, inputs, task, seed), inputs)


def _ks(name, task, make, inputs, seed, classes=10):
    inputs = Clustered(inputs, classes) if task == "classifier" else inputs
    return Arch(name, "keras", task, _keras_writer(make, inputs, task, seed), inputs)


RNN_INPUTS = lambda r, n: kws_mfcc(r, n, RNN_FRAMES)  # noqa: E731


ZOO: list[Arch] = [
    _pt("ds_cnn", "classifier", torch_ds_cnn, lambda r, n: [x[:, None] for x in kws_mfcc(r, n)], 1, 12),
    _ks("ds_cnn", "classifier", keras_ds_cnn, lambda r, n: [x[..., None] for x in kws_mfcc(r, n)], 1, 12),
    _pt("mobilenet_v1_0.25", "classifier", torch_mobilenet_v1, nchw(smooth_images), 2),
    _pt("mobilenet_v2", "classifier", torch_mobilenet_v2, nchw(smooth_images), 3),
    _ks("mobilenet_v2", "classifier", keras_mobilenet_v2, smooth_images, 3),
    _pt("mobilenet_v3_small", "classifier", torch_mobilenet_v3_small, nchw(smooth_images), 4),
    _pt("shufflenet_v2", "classifier", torch_shufflenet_v2, nchw(smooth_images), 5),
    _pt("squeezenet", "classifier", torch_squeezenet, nchw(smooth_images), 6),
    _pt("resnet8", "classifier", torch_resnet8, nchw(smooth_images), 7),
    _pt("efficientnet_mbconv", "classifier", torch_efficientnet, nchw(smooth_images), 8),
    _pt("tc_resnet", "classifier", torch_tc_resnet, channels_first(mfcc_like), 9, 12),
    _pt("accelerometer_cnn", "classifier", torch_accelerometer, accelerometer, 10, 6),
    _pt("lstm_kws", "classifier", lambda: torch_rnn_kws("LSTM"), RNN_INPUTS, 11, 12),
    _ks("lstm_kws", "classifier", keras_rnn_kws("LSTM"), RNN_INPUTS, 11, 12),
    _pt("gru_kws", "classifier", lambda: torch_rnn_kws("GRU"), RNN_INPUTS, 12, 12),
    _ks("gru_kws", "classifier", keras_rnn_kws("GRU"), RNN_INPUTS, 12, 12),
    Arch("kwt_tiny", "pytorch", "classifier", _torch_kwt, mfcc_like),
    Arch("kwt_tiny", "keras", "classifier", _keras_kwt, mfcc_like),
    _pt("unet_tiny", "regressor", torch_unet, nchw(lambda r, n: smooth_images(r, n, (32, 32, 1))), 13),
    _ks("unet_tiny", "regressor", keras_unet, lambda r, n: smooth_images(r, n, (32, 32, 1)), 13),
    _pt("autoencoder", "regressor", torch_autoencoder, log_mel_frames, 14),
    _ks("autoencoder", "regressor", keras_autoencoder, log_mel_frames, 14),
]


def load(arch: Arch, folder: Path):
    """Write `arch`'s model into `folder` and import it: (float graph, framework function x -> y)."""
    path = arch.write(Path(folder))
    if arch.framework == "pytorch":
        ort = pytest.importorskip("onnxruntime", reason="onnxruntime is the PyTorch exports' float reference "
                                                        "(pip install 'tinycc-ml[onnx]')")
        from tinycc.plugins.importers.onnx import load_onnx
        session = ort.InferenceSession(str(path))
        name = session.get_inputs()[0].name
        return load_onnx(path), lambda x: session.run(None, {name: x})[0]
    keras = _keras()
    from tinycc.plugins.importers.keras import load_keras
    model = keras.models.load_model(str(path))
    return load_keras(path), lambda x: np.asarray(model(x))
