"""Shape arithmetic of real PyTorch exports through tinycc's ONNX importer.

torch.onnx.export (the TorchScript exporter, a dynamic batch so the shape computations stay in
the file) writes Shape -> Gather -> Unsqueeze -> Concat -> Reshape for x.view(x.size(0), -1),
Slice with computed ends for torch.chunk, Split for torch.split, a view-transpose-view for
ShuffleNet's channel shuffle, ConstantOfShape for an LSTM's zero state. tinycc folds all of it at
import (no SHAPE left in the graph) and the reference interpreter and the `c` backend match
onnxruntime within 1e-4 (relative), an LSTM export's zero-state arithmetic included.
"""
from __future__ import annotations

import io
import subprocess
import sys
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")
torch = pytest.importorskip("torch", reason="torch is not installed (the exports are made with torch.onnx.export)")

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5
nn = torch.nn


class Flatten(nn.Module):
    """conv -> x.view(x.size(0), -1) -> linear."""
    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(3, 4, 3, padding=1), nn.Linear(4 * 5 * 6, 7)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.fc(x.view(x.size(0), -1))


class Chunk(nn.Module):
    """torch.chunk and torch.split on channels (Slice with computed ends; Split)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 1)

    def forward(self, x):
        x = self.conv(x)
        a, b = torch.chunk(x, 2, dim=1)
        c, d = torch.split(x, [2, 4], dim=1)
        return torch.cat([a * 2 + torch.relu(b), d[:, 1:3] - c], dim=1)


class Shuffle(nn.Module):
    """ShuffleNet's channel shuffle (view-transpose-view with computed sizes) between convs."""
    def __init__(self, groups=2):
        super().__init__()
        self.groups = groups
        self.conv1, self.conv2 = nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(8, 4, 1)

    def forward(self, x):
        x = self.conv1(x)
        n, c, h, w = x.size()
        x = x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)
        return self.conv2(x)


class ComputedReshape(nn.Module):
    """x.reshape with dimensions computed from x.shape, then back."""
    def forward(self, x):
        y = torch.tanh(x).reshape(x.shape[0], x.shape[1] * x.shape[2], -1)
        return (y * 0.5).reshape(x.shape[0], -1, x.shape[3]) + 1.0


class Movement(nn.Module):
    """Activations through Gather (x[:, 1]), strided Slice, Tile (repeat), Expand, Cast and
    DepthToSpace (pixel_shuffle, CRD order) after a conv."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 8, 1)

    def forward(self, x):
        y = self.conv(x)
        row = y[:, 1]                                         # Gather, scalar index: (n, h, w)
        strided = y[:, ::2, 1::2, :]                          # Slice with steps
        tiled = strided.repeat(1, 1, 1, 2)                    # Tile
        wide = row.unsqueeze(1).expand(-1, 4, -1, -1)         # Expand of the computed shape
        cast = (y * 3).to(torch.int32).to(torch.float32)      # Cast to int32 and back
        shuffled = torch.nn.functional.pixel_shuffle(y, 2)    # DepthToSpace (CRD)
        return tiled.flatten(1), wide.flatten(1), cast.flatten(1), shuffled.flatten(1)


class LSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


def export(module, shape, path, opset=17):
    """torch.onnx.export with a dynamic batch: the shape arithmetic stays in the file."""
    torch.manual_seed(0)
    module.eval()
    example = torch.randn(*shape)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = module(example)
        names = [f"y{k}" for k in range(len(out))] if isinstance(out, tuple) else ["y"]
        buf = io.BytesIO()
        torch.onnx.export(module, (example,), buf, input_names=["x"], output_names=names, opset_version=opset,
                          dynamo=False, dynamic_axes={"x": {0: "batch"}})
    path.write_bytes(buf.getvalue())
    return path


def onnx_ops(path):
    return {n.op_type for n in onnx.load(str(path)).graph.node}


def check_against_onnxruntime(path, shape, tmp_path):
    g = load_onnx(path)
    assert "shape" not in {n.op for n in g.nodes}, [n.op for n in g.nodes]
    session = ort.InferenceSession(str(path))
    rng = np.random.default_rng(3)
    samples = [[rng.normal(size=shape).astype(np.float32)] for _ in range(3)]
    (tmp_path / "c").mkdir()
    c_outs = run_exe(build(g, tmp_path / "c"), g, samples)
    for k, xs in enumerate(samples):
        expected = session.run(None, {"x": xs[0]})
        ref = interpreter.run(g, xs)
        assert len(ref) == len(expected)
        for i, e in enumerate(expected):
            np.testing.assert_allclose(ref[i].reshape(e.shape), e, rtol=RTOL, atol=ATOL, err_msg=f"reference {i}")
            np.testing.assert_allclose(c_outs[k][i].reshape(e.shape), e, rtol=RTOL, atol=ATOL, err_msg=f"c {i}")
    return g


def test_view_flatten_folds_and_matches_onnxruntime(tmp_path):
    path = export(Flatten(), (1, 3, 5, 6), tmp_path / "flatten.onnx")
    assert {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape"} <= onnx_ops(path)
    g = check_against_onnxruntime(path, (1, 3, 5, 6), tmp_path)
    assert [n.op for n in g.nodes] == ["transpose", "conv_2d", "relu", "transpose", "reshape", "fully_connected"]


@pytest.mark.parametrize("opset", [13, 18])
def test_chunk_and_split_on_channels(tmp_path, opset):
    path = export(Chunk(), (1, 3, 4, 5), tmp_path / "chunk.onnx", opset=opset)
    assert {"Shape", "Slice", "Split"} <= onnx_ops(path)
    g = check_against_onnxruntime(path, (1, 3, 4, 5), tmp_path)
    assert {"split_v", "slice"} <= {n.op for n in g.nodes}


def test_shufflenet_channel_shuffle(tmp_path):
    path = export(Shuffle(), (1, 3, 6, 6), tmp_path / "shuffle.onnx")
    assert {"Shape", "Gather", "Div", "Concat", "Reshape", "Transpose"} <= onnx_ops(path)
    check_against_onnxruntime(path, (1, 3, 6, 6), tmp_path)


def test_reshape_with_computed_dims(tmp_path):
    path = export(ComputedReshape(), (1, 2, 3, 4), tmp_path / "reshape.onnx")
    assert {"Shape", "Gather", "Mul", "Concat", "Reshape"} <= onnx_ops(path)
    check_against_onnxruntime(path, (1, 2, 3, 4), tmp_path)


def test_gather_slice_tile_expand_cast_depth_to_space(tmp_path):
    path = export(Movement(), (1, 2, 4, 6), tmp_path / "movement.onnx")
    assert {"Gather", "Slice", "Tile", "Expand", "Cast", "DepthToSpace"} <= onnx_ops(path)
    g = check_against_onnxruntime(path, (1, 2, 4, 6), tmp_path)
    assert {"gather", "strided_slice", "concatenation", "broadcast_to", "cast", "depth_to_space"} <= \
        {n.op for n in g.nodes}


def test_lstm_export_shape_arithmetic_folds_and_matches_onnxruntime(tmp_path):
    # torch's LSTM export computes its zero initial states from Shape/Gather/Unsqueeze/Concat/
    # ConstantOfShape: all folded at import, the LSTM itself unrolled (tests/test_rnn_models.py)
    path = export(LSTM(), (1, 5, 4), tmp_path / "lstm.onnx")
    assert {"Shape", "Gather", "Unsqueeze", "Concat", "ConstantOfShape", "LSTM"} <= onnx_ops(path)
    g = check_against_onnxruntime(path, (1, 5, 4), tmp_path)
    assert {"fully_connected", "logistic", "tanh"} <= {n.op for n in g.nodes}
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
