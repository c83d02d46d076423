"""Hostile model files never run code while tinycc loads them (issue 14, item 1).

- `.pt2`: the archive is checked before PyTorch reads it. The attacks are live (PyTorch or sympy
  run them when given the file or string; asserted here) and tinycc refuses them with exit 2, the
  marker file they would create never appearing: an opaque constant pickled under a nested path
  (the outer name looks harmless), a symbolic shape expression that calls `os.system` through
  `sympy.sympify`. Every other check (member paths, configs, node targets, guard code) has a
  case asserting its message. Legitimate archives (static conv/dense, dynamic batch) still load
  and match PyTorch.
- SavedModel: `saved_model.pb` is checked before TensorFlow loads it. A TF2 TrackableResource
  whose `_initialize` calls `tf.io.write_file`, and a TF1 SavedModel whose main op writes a file,
  both write their file when TensorFlow loads them (asserted); `tinycc compile` exits 2 naming
  the op, the function and the file, and the file does not exist afterwards. A checkpoint write
  reachable from the main op, and a `PyFunc`, are refused too. Legitimate TF1 and TF2
  SavedModels, and the shared MLPerf KWS SavedModel, still load.
"""
from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tinycc.core.errors import TinyccError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ENV = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "3"}


def _cli(model: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(out)],
                          capture_output=True, text=True, env=ENV)


def _assert_refused(proc, model: Path, out: Path, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and str(model) in proc.stderr, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, (fragment, proc.stderr)
    assert not out.exists()


# ---------------------------------------------------------------- .pt2

@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch", reason="the torch extra is not installed (pip install 'tinycc-ml[torch]')")
    pytest.importorskip("onnxscript", reason="the torch extra is not installed (pip install 'tinycc-ml[torch]')")
    return torch


class _Touch:
    """A pickle that creates a file when unpickled: the code a hostile archive would run."""
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _conv_dense(torch):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 6 * 6, 3)).eval()


@pytest.fixture(scope="module")
def good_pt2(torch, tmp_path_factory):
    path = tmp_path_factory.mktemp("pt2") / "good.pt2"
    torch.export.save(torch.export.export(_conv_dense(torch), (torch.zeros(1, 1, 8, 8),)), str(path))
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(path: Path, files) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # zipfile warns about the duplicate case
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for name, data in (files.items() if isinstance(files, dict) else files):
                z.writestr(name, data)
    return path


def _root(files) -> str:
    return next(iter(files)).split("/")[0]


def _edit_json(files, suffix, change):
    name = next(n for n in files if n.endswith(suffix))
    doc = json.loads(files[name])
    change(doc)
    files[name] = json.dumps(doc).encode()


def test_legit_archives_load_and_match_pytorch(torch, good_pt2, tmp_path):
    from tinycc.core import interpreter
    from tinycc.plugins.importers.torch import load_pt2
    m = _conv_dense(torch)
    g = load_pt2(good_pt2)
    x = np.random.default_rng(0).normal(size=(1, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = m(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(interpreter.run(g, [x])[0], expected, rtol=1e-5, atol=1e-5)

    lin = torch.nn.Linear(4, 2).eval()                  # a dynamic batch: symbolic expressions in the JSON
    batch = torch.export.Dim("batch", min=2, max=16)
    dyn = tmp_path / "dyn.pt2"
    torch.export.save(torch.export.export(lin, (torch.zeros(3, 4),), dynamic_shapes=({0: batch},)), str(dyn))
    assert "expr_str" in _members(dyn)[f"{_root(_members(dyn))}/models/model.json"].decode()
    g = load_pt2(dyn)
    assert g.tensors[g.inputs[0]].shape[-1] == 4


def test_pickle_under_a_nested_path_is_refused_and_never_run(torch, good_pt2, tmp_path):
    """The member's last path component ('payload') names no pickle, but torch.export.load follows
    the config's path_name 'opaque_obj_0/payload' and calls pickle.loads on it."""
    marker = tmp_path / "pwned"
    files = _members(good_pt2)
    root = _root(files)
    files[f"{root}/data/constants/opaque_obj_0/payload"] = pickle.dumps(_Touch(str(marker)))
    _edit_json(files, "model_constants_config.json", lambda c: c["config"].update(
        obj={"path_name": "opaque_obj_0/payload", "is_param": False, "use_pickle": True, "tensor_meta": None}))
    bad = _write(tmp_path / "bad.pt2", files)
    with contextlib.suppress(Exception):
        torch.export.load(str(bad))                     # the attack is live: PyTorch runs the pickle
    assert marker.exists()
    marker.unlink()
    _assert_refused(_cli(bad, tmp_path / "o"), bad, tmp_path / "o", "pickled Python objects", "opaque_obj_0/payload")
    assert not marker.exists(), "tinycc unpickled code from the model file"


def test_sympy_expression_calling_python_is_refused_and_never_run(torch, good_pt2, tmp_path):
    import sympy
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    sympy.sympify(payload)                             # the attack is live: sympify evaluates Python
    assert marker.exists()
    marker.unlink()
    files = _members(good_pt2)
    _edit_json(files, "models/model.json", lambda p: p["graph_module"]["graph"]["sym_int_values"].update(
        s0={"as_expr": {"expr_str": payload, "hint": None}}))
    bad = _write(tmp_path / "bad.pt2", files)
    _assert_refused(_cli(bad, tmp_path / "o"), bad, tmp_path / "o", "symbolic shape expression", "__import__")
    assert not marker.exists()


def _case(name):
    """Hostile edits of a legitimate archive, each with the message it must produce."""
    def pickled_weight(f, root):
        _edit_json(f, "model_weights_config.json", lambda c: next(iter(c["config"].values())).update(use_pickle=True))
    def traversal_path_name(f, root):
        _edit_json(f, "model_weights_config.json",
                   lambda c: next(iter(c["config"].values())).update(path_name="../weights/weight_0"))
    def missing_payload(f, root):
        _edit_json(f, "model_weights_config.json", lambda c: next(iter(c["config"].values())).update(
            path_name="weight_99"))
    def python_target(f, root):
        _edit_json(f, "models/model.json", lambda p: p["graph_module"]["graph"]["nodes"][0].update(
            target="torch.os.system"))
    def operator_argument(f, root):
        _edit_json(f, "models/model.json", lambda p: p["graph_module"]["graph"]["nodes"][0]["inputs"].append(
            {"name": "fn", "arg": {"as_operator": "torch.os.system"}, "kind": 1}))
    def guard_code(f, root):
        _edit_json(f, "models/model.json", lambda p: p.update(guards_code=["__import__('os').system('id')"]))
    cases = {
        "pickled weight": (pickled_weight, "pickled Python objects"),
        "config path with ..": (traversal_path_name, "not a file weight_<n>"),
        "config names a missing file": (missing_payload, "which is not in the archive"),
        "node target a Python callable": (python_target, "torch.os.system"),
        "operator argument": (operator_argument, "operator"),
        "guard code": (guard_code, "guard code"),
        "member with ..": (lambda f, root: f.update({f"{root}/../evil": b"x"}), "unsafe path"),
        "absolute member": (lambda f, root: f.update({"/tmp/evil": b"x"}), "unsafe path"),
        "second root folder": (lambda f, root: f.update({"other/archive_format": b"pt2"}), "two root folders"),
        "compiled code": (lambda f, root: f.update({f"{root}/data/aotinductor/model/model.so": b"\x7fELF"}),
                          "compiled code"),
        "legacy pickled weights": (lambda f, root: f.update({f"{root}/data/weights/model.pt": b"x"}),
                                   "pickled Python objects"),
        "custom object": (lambda f, root: f.update({f"{root}/data/constants/custom_obj_0": b"x"}),
                          "pickled Python objects"),
        "unexpected member": (lambda f, root: f.update({f"{root}/models/evil.py": b"x"}), "unexpected archive member"),
    }
    return cases[name]


@pytest.mark.parametrize("name", ["pickled weight", "config path with ..", "config names a missing file",
                                  "node target a Python callable", "operator argument", "guard code",
                                  "member with ..", "absolute member", "second root folder", "compiled code",
                                  "legacy pickled weights", "custom object", "unexpected member"])
def test_hostile_archive_is_refused_with_a_clear_message(name, torch, good_pt2, tmp_path):
    from tinycc.plugins.importers.pt2_archive import checked_archive
    change, fragment = _case(name)
    files = _members(good_pt2)
    change(files, _root(files))
    bad = _write(tmp_path / "bad.pt2", files)
    with pytest.raises(TinyccError) as err:
        checked_archive(bad)
    assert fragment in err.value.render() and str(bad) in err.value.render(), err.value.render()


def test_duplicate_member_is_refused(torch, good_pt2, tmp_path):
    from tinycc.plugins.importers.pt2_archive import checked_archive
    files = list(_members(good_pt2).items())
    name = next(n for n, _ in files if n.endswith("weight_0"))
    bad = _write(tmp_path / "dup.pt2", files + [(name, b"\0" * 8)])
    with pytest.raises(TinyccError, match="appears twice"):
        checked_archive(bad)


def test_checked_archive_holds_no_pickle(torch, good_pt2):
    """What PyTorch is given: the checked members only, the example inputs (a pickle) emptied."""
    from tinycc.plugins.importers.pt2_archive import checked_archive
    with zipfile.ZipFile(checked_archive(good_pt2)) as z:
        sizes = {n.split("/", 1)[1]: z.getinfo(n).file_size for n in z.namelist()}
    assert sizes["data/sample_inputs/model.pt"] == 0
    assert all(not n.endswith(".pt") or sizes[n] == 0 for n in sizes)
    assert {n for n in sizes if n.startswith("data/weights/weight_")} == {f"data/weights/weight_{i}" for i in range(4)}


# ---------------------------------------------------------------- SavedModel

@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow", reason="the keras extra is not installed (pip install 'tinycc-ml[keras]')")


def _tf2_saved_model(tf, out: Path, marker: Path | None) -> Path:
    """A tf.Module (dense + relu); with `marker`, a TrackableResource whose _initialize writes it."""
    class Resource(tf.saved_model.experimental.TrackableResource):
        def _create_resource(self):
            return tf.raw_ops.HashTableV2(key_dtype=tf.string, value_dtype=tf.int64)

        def _initialize(self):
            return tf.io.write_file(str(marker), "pwned")

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.arange(8, dtype=np.float32).reshape(4, 2) - 3.0)
            if marker is not None:
                self.res = Resource()

        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
        def serve(self, x):
            return {"y": tf.nn.relu(tf.matmul(x, self.w))}

    model = Model()
    tf.saved_model.save(model, str(out), signatures={"serving_default": model.serve})
    return out


def _tf1_saved_model(tf, out: Path, main_op: str) -> Path:
    """A TF1 SavedModel (dense + relu) with a main op: 'noop', 'write_file' (writes out.parent/pwned)
    or 'save' (a checkpoint written to out.parent/pwned by the main op)."""
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 4], name="x")
        w = tf.compat.v1.get_variable("w", initializer=np.arange(8, dtype=np.float32).reshape(4, 2) - 3.0)
        y = tf.nn.relu(tf.matmul(x, w), name="y")
        marker = str(out.parent / "pwned")
        if main_op == "write_file":
            op = tf.group(tf.io.write_file(marker, "pwned"), name="main_op")
        elif main_op == "save":
            op = tf.group(tf.raw_ops.SaveV2(prefix=marker, tensor_names=["w"], shape_and_slices=[""], tensors=[w]),
                          name="main_op")
        else:
            op = tf.group(tf.no_op(), name="main_op")
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.builder.SavedModelBuilder(str(out))
            sig = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig},
                                                 main_op=op)
            builder.save()
    return out


def _tf1_load(tf, path: Path) -> None:
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        tf.compat.v1.saved_model.loader.load(sess, ["serve"], str(path))


def test_tf2_resource_initializer_writing_a_file_is_refused(tf, tmp_path):
    marker = tmp_path / "pwned"
    sm = _tf2_saved_model(tf, tmp_path / "tf2_evil", marker)
    assert not marker.exists()
    tf.saved_model.load(str(sm))                       # the attack is live: loading runs _initialize
    assert marker.exists()
    marker.unlink()
    _assert_refused(_cli(sm, tmp_path / "o"), sm, tmp_path / "o", "op WriteFile", "__inference__initializer",
                    "saved_model.pb", "hint:")
    assert not marker.exists(), "loading the SavedModel wrote the attacker's file"


def test_tf1_main_op_writing_a_file_is_refused(tf, tmp_path):
    sm = _tf1_saved_model(tf, tmp_path / "tf1_evil", "write_file")
    marker = tmp_path / "pwned"
    assert not marker.exists()
    _tf1_load(tf, sm)                                  # the attack is live: the TF1 loader runs the main op
    assert marker.exists()
    marker.unlink()
    _assert_refused(_cli(sm, tmp_path / "o"), sm, tmp_path / "o", "op WriteFile", "top-level graph",
                    "saved_model.pb", "hint:")
    assert not marker.exists(), "loading the SavedModel wrote the attacker's file"


def test_checkpoint_write_reachable_from_the_main_op_is_refused(tf, tmp_path):
    from tinycc.plugins.importers.keras import load_keras
    sm = _tf1_saved_model(tf, tmp_path / "tf1_save", "save")
    with pytest.raises(TinyccError) as err:
        load_keras(sm)
    text = err.value.render()
    assert "op SaveV2" in text and "checkpoint write that loading could run" in text and str(sm) in text, text
    assert not list(tmp_path.glob("pwned*"))


def test_pyfunc_in_a_function_is_refused(tf, tmp_path):
    from tensorflow.core.protobuf import saved_model_pb2

    from tinycc.plugins.importers.savedmodel_scan import read_saved_model
    sm = _tf2_saved_model(tf, tmp_path / "tf2", None)
    proto = saved_model_pb2.SavedModel.FromString((sm / "saved_model.pb").read_bytes())
    fn = next(f for f in proto.meta_graphs[0].graph_def.library.function if "serve" in f.signature.name)
    fn.node_def.add(name="py", op="EagerPyFunc")
    (sm / "saved_model.pb").write_bytes(proto.SerializeToString())
    with pytest.raises(TinyccError) as err:
        read_saved_model(sm)
    text = err.value.render()
    assert "op EagerPyFunc" in text and fn.signature.name in text and "node 'py'" in text, text


@pytest.mark.parametrize("kind", ["tf2", "tf1"])
def test_legit_saved_models_still_load(kind, tf, tmp_path):
    from tinycc.core import interpreter
    from tinycc.plugins.importers.keras import load_keras
    sm = (_tf2_saved_model(tf, tmp_path / "sm", None) if kind == "tf2"
          else _tf1_saved_model(tf, tmp_path / "sm", "noop"))
    g = load_keras(sm)
    x = np.array([[1.0, -2.0, 0.5, 3.0]], dtype=np.float32)
    expected = np.maximum(x @ (np.arange(8, dtype=np.float32).reshape(4, 2) - 3.0), 0)
    np.testing.assert_allclose(interpreter.run(g, [x])[0], expected, rtol=1e-6, atol=1e-6)


def test_shared_kws_saved_model_passes_the_scan(tf):
    from tests.tflm import models_dir
    from tinycc.plugins.importers.savedmodel_scan import read_saved_model
    path = models_dir() / "mlperf_tiny" / "kws_ref_saved_model"
    if not path.exists():
        pytest.skip(f"shared model mlperf_tiny/kws_ref_saved_model not found under {models_dir()} (set TINYCC_MODELS)")
    assert read_saved_model(path)[:2]                  # the proto bytes; test_keras compiles it end to end
