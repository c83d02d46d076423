"""PyTorch models through tinycc: nn.Module (Python API) and .pt2 ExportedProgram files (CLI).

A small KWS-shaped CNN (49x10 input; conv+batchnorm+relu, depthwise+relu6, global average
pool, linear, softmax) is exported through ONNX: float reference and C within 1e-5 of
PyTorch; after tinycc's int8 quantisation (calibrated on the same distribution), top-1 agrees
with PyTorch on >= 98% of 100 samples and the C backend equals the reference byte for byte.
"""
from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed (pip install 'tinycc-ml[torch]')")
pytest.importorskip("onnxscript", reason="the torch extra is not installed (pip install 'tinycc-ml[torch]')")

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.passes.calibrate import calibrate  # noqa: E402
from tinycc.core.passes.quantize import QuantizeInt8  # noqa: E402
from tinycc.core.validate import validate  # noqa: E402
from tinycc.plugins.importers.torch import from_module  # noqa: E402

TOL = 1e-5


class TinyKWS(torch.nn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 16, (5, 3), stride=(2, 1), padding=(2, 1))
        self.bn = torch.nn.BatchNorm2d(16)
        self.dw = torch.nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pw = torch.nn.Conv2d(16, 24, 1)
        self.fc = torch.nn.Linear(24, classes)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = torch.nn.functional.relu6(self.dw(x))
        x = torch.relu(self.pw(x))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return torch.softmax(self.fc(x), dim=-1)


def model():
    torch.manual_seed(0)
    m = TinyKWS().eval()
    with torch.no_grad():                     # non-trivial batch-norm statistics, separated logits
        m.bn.running_mean.uniform_(-0.2, 0.2)
        m.bn.running_var.uniform_(0.5, 2.0)
        m.fc.weight.mul_(8.0)
    return m


def samples(n, seed):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=(1, 1, 49, 10)).astype(np.float32)] for _ in range(n)]


def torch_out(m, xs):
    with torch.no_grad():
        return m(torch.from_numpy(xs[0])).numpy()


def test_module_float_matches_pytorch_in_reference_and_c(tmp_path):
    m = model()
    g = from_module(m, (torch.zeros(1, 1, 49, 10),), name="tiny_kws")
    xs = samples(4, 1)
    c_outs = run_exe(build(g, tmp_path), g, xs)
    for k, x in enumerate(xs):
        expected = torch_out(m, x)
        np.testing.assert_allclose(interpreter.run(g, x)[0], expected, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(c_outs[k][0], expected, rtol=TOL, atol=TOL)


def test_module_quantised_keeps_top1_and_c_is_bit_exact(tmp_path):
    m = model()
    g = from_module(m, (torch.zeros(1, 1, 49, 10),), name="tiny_kws")
    gq = validate(QuantizeInt8(calibrate(g, samples(64, 2)), io="float").run(copy.deepcopy(g)))
    test = samples(100, 3)
    agree = sum(int(interpreter.run(gq, x)[0].argmax() == torch_out(m, x).argmax()) for x in test)
    assert agree >= 98, f"top-1 agreement {agree}/100"
    c_outs = run_exe(build(gq, tmp_path), gq, test[:8])
    for k, x in enumerate(test[:8]):
        np.testing.assert_array_equal(c_outs[k][0], interpreter.run(gq, x)[0])


def test_pt2_file_compiles_from_the_cli(tmp_path):
    m = model()
    program = torch.export.export(m, (torch.zeros(1, 1, 49, 10),))
    path = tmp_path / "tiny_kws.pt2"
    torch.export.save(program, str(path))
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "out"),
                           "--name", "kws"], capture_output=True, text=True,
                           env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "KWS_INPUT0_BYTES 1960" in (tmp_path / "out" / "kws.h").read_text()     # 49*10 float32, NCHW


def test_not_a_module_and_broken_pt2_are_clear_errors(tmp_path):
    from tinycc.core.errors import TinyccError
    with pytest.raises(TinyccError, match="expected a torch.nn.Module"):
        from_module(lambda x: x, (torch.zeros(1),))
    bad = tmp_path / "bad.pt2"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(bad), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and "ExportedProgram" in proc.stderr and "Traceback" not in proc.stderr


class _Touch:
    """A pickle that creates a file when unpickled: the code a hostile .pt2 would run."""
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        from pathlib import Path
        return (Path.touch, (Path(self.path),))


def _rewrite_pt2(src, dst, change):
    import zipfile
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        files = {n: zin.read(n) for n in zin.namelist()}
        change(files)
        for n, data in files.items():
            zout.writestr(n, data)


@pytest.mark.parametrize("where", ["pickled weight", "opaque constant"])
def test_pt2_pickles_are_never_run(where, tmp_path):
    """torch.export.load unpickles pickled weights with weights_only=False and opaque constants
    with pickle.loads; tinycc refuses both without running them (the pickle would touch a file)."""
    import json
    import pickle
    m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    good = tmp_path / "lin.pt2"
    torch.export.save(torch.export.export(m, (torch.zeros(1, 4),)), str(good))
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Touch(str(marker)))

    def change(files):
        if where == "pickled weight":
            cfg_name = next(n for n in files if n.endswith("model_weights_config.json"))
            cfg = json.loads(files[cfg_name])
            entry = cfg["config"]["0.weight"]
            entry["use_pickle"] = True
            files[cfg_name] = json.dumps(cfg).encode()
            files[cfg_name.rsplit("/", 1)[0] + "/" + entry["path_name"]] = payload
        else:
            cfg_name = next(n for n in files if n.endswith("model_constants_config.json"))
            folder = cfg_name.rsplit("/", 1)[0]
            files[cfg_name] = json.dumps({"config": {"obj": {"path_name": "opaque_obj_0", "is_param": False,
                                                             "use_pickle": True, "tensor_meta": None}}}).encode()
            files[folder + "/opaque_obj_0"] = payload

    bad = tmp_path / "bad.pt2"
    _rewrite_pt2(good, bad, change)
    assert pickle.loads(payload) is None and marker.exists()      # the payload does run when unpickled
    marker.unlink()
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(bad), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and str(bad) in proc.stderr
    assert "pickled Python objects" in proc.stderr, proc.stderr
    assert not marker.exists(), "tinycc unpickled code from the model file"
    assert not (tmp_path / "o").exists()
