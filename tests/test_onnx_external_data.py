"""ONNX external data: weights beside the model load; a location outside the model's folder
(`..`, an absolute path, a symlink pointing out) is refused before anything is read."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import helper, numpy_helper  # noqa: E402

from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers.onnx import load_onnx  # noqa: E402

W = np.arange(4 * 8, dtype=np.float32).reshape(4, 8) / 10


def model_with_external_weights(folder, location):
    """y = x @ W with W (128 bytes) stored in `location`, relative to `folder`."""
    w = numpy_helper.from_array(W, "W")
    w.ClearField("raw_data")
    w.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(W.nbytes))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 8])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = folder / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def test_weights_beside_the_model_load(tmp_path):
    (tmp_path / "weights.bin").write_bytes(W.tobytes())
    g = load_onnx(model_with_external_weights(tmp_path, "weights.bin"))
    x = np.ones((1, 4), np.float32)
    np.testing.assert_allclose(interpreter.run(g, [x])[0], x @ W, rtol=1e-6)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "symlinked-folder"])
def test_locations_outside_the_folder_are_refused(tmp_path, kind):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(W.tobytes())
    folder = tmp_path / "model"
    folder.mkdir()
    location = {"dotdot": "../secret.bin", "absolute": str(secret), "symlink": "link.bin",
                "symlinked-folder": "sub/secret.bin"}[kind]
    if kind == "symlink":
        os.symlink(secret, folder / "link.bin")
    if kind == "symlinked-folder":
        os.symlink(tmp_path, folder / "sub")
    path = model_with_external_weights(folder, location)
    with pytest.raises(TinyccError, match="points outside the model's folder"):
        load_onnx(path)
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"initializer 'W': external data {location!r} points outside" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_and_short_external_files_are_clear_errors(tmp_path):
    path = model_with_external_weights(tmp_path, "weights.bin")
    with pytest.raises(TinyccError, match="is missing"):
        load_onnx(path)
    (tmp_path / "weights.bin").write_bytes(W.tobytes()[:64])
    with pytest.raises(TinyccError, match=r"bytes 0\.\.128 lie outside the 64-byte file"):
        load_onnx(path)
