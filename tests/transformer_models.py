"""Tiny keyword-spotting transformers (KWT-style) built here, seeded (test and benchmark support).

Input (1, 49, 40): 49 frames of 40 MFCC-like coefficients. Patch embedding Linear 40 -> d_model,
a learned positional embedding (a constant add), `layers` pre-norm encoder layers (multi-head
self-attention written with plain Linear / reshape / transpose / matmul / softmax as people write
it, then a ReLU MLP, both residual), a final LayerNorm, mean pooling over frames and a 12-class
classifier. `torch_onnx` exports the PyTorch model with torch.onnx.export (opset 13: the layer
norm decomposed into ReduceMean/Sub/Pow/Sqrt/Div; opset 17: LayerNormalization); `keras_file`
builds it from Keras layers (MultiHeadAttention, LayerNormalization) and saves a `.keras` file,
which tinycc's Keras importer lowers through TensorFlow's TFLiteConverter (float32). `mfcc_like`
makes random but structured inputs: smooth over time, energy falling with the coefficient index.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FRAMES, COEFFS, CLASSES = 49, 40, 12


def mfcc_like(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """`n` inputs of shape (1, 49, 40)."""
    decay = np.exp(-np.arange(COEFFS) / 15.0)
    out = []
    for _ in range(n):
        walk = rng.normal(size=(1, FRAMES, COEFFS)).cumsum(axis=1) * 0.3
        out.append((walk * decay + rng.normal(scale=0.3, size=(1, FRAMES, COEFFS))).astype(np.float32))
    return out


def _torch():
    return pytest.importorskip("torch", reason="the PyTorch KWT is exported with torch.onnx.export (pip install torch)")


def torch_kwt(d_model: int = 32, heads: int = 2, layers: int = 2, seed: int = 0):
    torch = _torch()
    nn = torch.nn

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.dh = d_model // heads
            self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model) for _ in range(4))
            self.scale = self.dh ** -0.5

        def split(self, t):
            return t.reshape(1, FRAMES, heads, self.dh).transpose(1, 2)       # (1, heads, T, dh)

        def forward(self, x):
            q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
            a = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
            return self.o((a @ v).transpose(1, 2).reshape(1, FRAMES, d_model))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.attention = nn.LayerNorm(d_model), Attention()
            self.norm2 = nn.LayerNorm(d_model)
            self.mlp = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, d_model))

        def forward(self, x):
            x = x + self.attention(self.norm1(x))
            return x + self.mlp(self.norm2(x))

    class KWT(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(COEFFS, d_model)
            self.pos = nn.Parameter(torch.randn(1, FRAMES, d_model) * 0.1)
            self.blocks = nn.Sequential(*[Block() for _ in range(layers)])
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, CLASSES)

        def forward(self, x):
            x = self.blocks(self.embed(x) + self.pos)
            return self.head(self.norm(x).mean(dim=1))

    torch.manual_seed(seed)
    model = KWT().eval()
    with torch.no_grad():                 # a trained model's norms are not the identity
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0.0, 0.1)
    return model


def torch_onnx(path: Path, opset: int = 17, **kw) -> Path:
    """The PyTorch KWT exported to `path` (TorchScript exporter, constant folding)."""
    torch = _torch()
    import warnings
    model = torch_kwt(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, FRAMES, COEFFS),), str(path), opset_version=opset, dynamo=False,
                          input_names=["mfcc"], output_names=["logits"], do_constant_folding=True)
    return path


def keras_model(d_model: int = 32, heads: int = 2, layers: int = 2, seed: int = 0):
    pytest.importorskip("tensorflow", reason="the Keras KWT is converted by TensorFlow's TFLiteConverter")
    import keras as k  # Keras 3, the one tinycc's Keras importer loads files with
    k.utils.set_random_seed(seed)

    @k.saving.register_keras_serializable(package="tinycc_tests")
    class PositionalEmbedding(k.layers.Layer):
        def build(self, shape):
            self.pos = self.add_weight(shape=(1, shape[1], shape[2]), name="pos",
                                       initializer=k.initializers.RandomNormal(stddev=0.1))

        def call(self, x):
            return x + self.pos

    def norm():
        return k.layers.LayerNormalization(epsilon=1e-5, gamma_initializer=k.initializers.RandomNormal(1.0, 0.1),
                                           beta_initializer=k.initializers.RandomNormal(stddev=0.1))

    x = k.Input((FRAMES, COEFFS), batch_size=1)
    y = PositionalEmbedding()(k.layers.Dense(d_model)(x))
    for _ in range(layers):
        n = norm()(y)
        y = y + k.layers.MultiHeadAttention(heads, d_model // heads)(n, n)
        n = norm()(y)
        y = y + k.layers.Dense(d_model)(k.layers.Dense(2 * d_model, activation="relu")(n))
    y = k.layers.GlobalAveragePooling1D()(norm()(y))
    return k.Model(x, k.layers.Dense(CLASSES)(y))


def keras_file(path: Path, **kw) -> Path:
    """The Keras KWT saved as a `.keras` file (its positional-embedding layer is registered in this
    process, so loading it back in safe mode finds it)."""
    keras_model(**kw).save(str(path))
    return path


def torch_encoder_onnx(path: Path, d_model: int = 32, heads: int = 2, layers: int = 2, seed: int = 0) -> Path:
    """The same shape of model from torch's own nn.TransformerEncoder (pre-norm layers, ReLU, nn.MultiheadAttention
    inside), exported by the torch.export-based exporter (opset 20; the TorchScript exporter writes its
    head split as Shape/Gather/Slice/Cast/Mod arithmetic)."""
    torch = _torch()
    pytest.importorskip("onnxscript", reason="torch.onnx.export(dynamo=True) needs onnxscript")
    nn = torch.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(COEFFS, d_model)
            layer = nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout=0.0, activation="relu",
                                               batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.head = nn.Linear(d_model, CLASSES)

        def forward(self, x):
            return self.head(self.encoder(self.embed(x)).mean(dim=1))

    import logging
    import warnings
    torch.manual_seed(seed)
    model = Encoder().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            torch.onnx.export(model, (torch.zeros(1, FRAMES, COEFFS),), str(path), dynamo=True,
                              input_names=["mfcc"], output_names=["logits"], verbose=False)
        finally:
            logging.disable(logging.NOTSET)
    return path
