"""Keras importer: .keras, .h5 and SavedModel folders -> the core graph, through TFLite.

Route chosen: TensorFlow's own TFLite converter (float32, no quantisation) lowers the model,
and tinycc's TFLite importer reads the result. Why not tf2onnx: with Keras 3 it needs
`output_names` patched onto the model, and it converts to NCHW-minded ONNX that would be
transposed back; the TFLite converter is TensorFlow's own, maintained lowering, already NHWC,
and its output goes through tinycc's most-tested importer. tinycc then quantises in the core
(`--calibration`), independent of TensorFlow.

The batch dimension is pinned to 1 by converting a concrete function with a fixed input
signature, so reshapes stay static. Recurrent layers (LSTM, GRU, SimpleRNN, also inside
Bidirectional) are cloned with `unroll=True` first: their sequence length is static, and the
converter then emits the steps as FULLY_CONNECTED / ADD / MUL / LOGISTIC / TANH ops, which
tinycc's post-training quantisation quantises, instead of a WHILE loop over three subgraphs
(whose TensorList slices tinycc cannot run, and whose loop body PTQ cannot calibrate).

Files are loaded with `safe_mode=True`: a Lambda layer's
code in a file is never executed. Loading a SavedModel runs parts of its graph, so its
`saved_model.pb` is checked first (`savedmodel_scan`: only pure compute ops, checkpoint ops only
in the saver) and TensorFlow loads a copy of exactly the checked files.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tinycc.core.errors import TinyccError
from tinycc.core.graph import ControlFlowNote, Graph
from tinycc.core.hookspec import hookimpl


def _tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tinycc.quiet import quiet_import
    try:
        tf = quiet_import("tensorflow")       # its absl/oneDNN lines go straight to fd 2 on import
    except ImportError:
        raise TinyccError("TensorFlow is not installed", hint="pip install 'tinycc-ml[keras]'") from None
    tf.get_logger().setLevel("ERROR")
    return tf


def _fixed_batch_converter(tf, model):
    """A converter for `model` re-wrapped with batch 1, so shapes (and reshapes) stay static."""
    import keras
    ins = []
    for t in model.inputs:
        if any(d is None for d in t.shape[1:]):
            raise TinyccError(f"input {t.name!r} has unknown dimensions {tuple(t.shape)}",
                              hint="give the model a fixed input shape (keras.Input(shape=...))")
        ins.append(keras.Input(batch_shape=(1,) + tuple(t.shape[1:]), dtype=t.dtype))
    fixed = keras.Model(ins, model(ins if len(ins) > 1 else ins[0]))
    return tf.lite.TFLiteConverter.from_keras_model(fixed)


def _saved_model_converter(tf, path: Path):
    """TF2's loader first; SavedModels written by older Keras (optimizer objects TF2 can no
    longer revive) through the TF1 session loader, which restores the graph only."""
    try:
        return tf.lite.TFLiteConverter.from_saved_model(str(path))
    except Exception:
        pass
    graph = tf.Graph()
    with graph.as_default():
        sess = tf.compat.v1.Session()
        meta = tf.compat.v1.saved_model.loader.load(sess, ["serve"], str(path))
        if "serving_default" not in meta.signature_def:
            raise TinyccError("the SavedModel has no serving_default signature")
        sig = meta.signature_def["serving_default"]
        ins = [graph.get_tensor_by_name(v.name) for v in sig.inputs.values()]
        outs = [graph.get_tensor_by_name(v.name) for v in sig.outputs.values()]
        return tf.compat.v1.lite.TFLiteConverter.from_session(sess, ins, outs)


def _set_unroll(config):
    """The layer config with unroll=True on every recurrent layer in it (Bidirectional's too); the count."""
    if isinstance(config, dict):
        count = 0
        if "unroll" in config and config["unroll"] is False:
            config["unroll"] = True
            count = 1
        return count + sum(_set_unroll(v) for v in config.values())
    if isinstance(config, list):
        return sum(_set_unroll(v) for v in config)
    return 0


def _describe(layer) -> str:
    """'name' (Class, cell Cell) of a recurrent layer, for messages."""
    inner = getattr(layer, "forward_layer", None) or layer           # Bidirectional: its forward layer's cell
    cell = getattr(inner, "cell", None)
    return f"{layer.name!r} ({type(layer).__name__}{f', cell {type(cell).__name__}' if cell is not None else ''})"


def _recurrent(model) -> list:
    import keras
    return [layer for layer in model.layers if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]


def _unrolls(layer) -> bool:
    """Whether a recurrent layer (a Bidirectional's forward layer) is built with unroll=True already."""
    return bool(getattr(getattr(layer, "forward_layer", layer), "unroll", False))


def unrolled(model, notes: list[str], rolled: list[str] | None = None):
    """`model` with its recurrent layers cloned with unroll=True (same weights); what was done, in `notes`;
    each recurrent layer left as it is (its clone failed, or its config has no unroll option) described,
    with why, in `rolled`."""
    import keras
    done: list[str] = []
    left: list[str] = [] if rolled is None else rolled

    def clone(layer):
        if not isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)):
            return layer
        config = layer.get_config()
        if not _set_unroll(config):
            if not _unrolls(layer):
                left.append(f"{_describe(layer)}, whose config has no unroll option")
            return layer
        try:
            new = layer.__class__.from_config(config)
            new.build(layer.input.shape)
            new.set_weights(layer.get_weights())
        except Exception as exc:       # a custom cell, an initial state, a shared layer: this one stays a loop
            left.append(f"{_describe(layer)}, whose clone failed ({type(exc).__name__}: {str(exc)[:160]})")
            return layer
        done.append(layer.name)
        return new
    try:
        model = keras.models.clone_model(model, clone_function=clone)
    except Exception as exc:           # the model itself cannot be rebuilt: every WHILE loop stays
        left[:] = [f"{_describe(layer)}, in a model that could not be cloned ({type(exc).__name__}: "
                   f"{str(exc)[:160]})" for layer in _recurrent(model) if not _unrolls(layer)]
        done.clear()
    if left:
        notes.append(f"recurrent layer{'s' if len(left) > 1 else ''} not unrolled ({'; '.join(left)}); "
                     "TensorFlow's converter makes WHILE loops of them, which tinycc cannot quantise")
    if done:
        notes.append(f"recurrent layer{'s' if len(done) > 1 else ''} {', '.join(done)} unrolled over the sequence "
                     "(unroll=True): one set of operators per time step, quantisable, no WHILE loop")
    return model


def keras_to_tflite(path: Path, notes: list[str] | None = None, rolled: list[str] | None = None) -> bytes:
    """The float32 TFLite flatbuffer of a Keras file or SavedModel folder (what was changed on the way
    appended to `notes`; the recurrent layers left as loops described in `rolled`)."""
    import contextlib
    tf = _tf()
    path = Path(path)
    try:
        with contextlib.ExitStack() as stack:
            return _convert(tf, path, stack, [] if notes is None else notes, [] if rolled is None else rolled)
    except TinyccError as err:
        err.with_file(str(path))
        raise
    except Exception as exc:
        raise TinyccError(f"TensorFlow's TFLite converter failed: {type(exc).__name__}: {str(exc)[:300]}",
                          file=str(path)) from None


def _convert(tf, path: Path, stack, notes: list[str], rolled: list[str]) -> bytes:
    """The converted flatbuffer; temporary folders live on `stack` until conversion ends."""
    if path.is_dir():
        if not (path / "saved_model.pb").exists():
            raise TinyccError("folder is not a SavedModel (no saved_model.pb)", file=str(path))
        from tinycc.plugins.importers.savedmodel_scan import checked_copy
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="tinycc-savedmodel-"))
        converter = _saved_model_converter(tf, checked_copy(path, Path(tmp) / path.name))
    else:
        import keras
        _check_container(path)
        try:
            model = keras.models.load_model(str(path), compile=False, safe_mode=True)
        except TinyccError:
            raise
        except Exception as exc:
            raise TinyccError(f"Keras cannot load the model: {type(exc).__name__}: {str(exc)[:300]}",
                              file=str(path),
                              hint="Lambda layers are refused by safe mode; custom layers need their code") from None
        converter = _fixed_batch_converter(tf, unrolled(model, notes, rolled))
    converter.optimizations = []
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):      # TF prints the traced signature
        return converter.convert()


def _check_container(path: Path) -> None:
    """A .keras file is a zip with config.json, an .h5 file HDF5: anything else is said plainly
    (Keras itself answers "File not found" for a file that exists)."""
    import zipfile
    save = "save it with model.save('model.keras')"
    if path.suffix.lower() == ".keras":
        if not zipfile.is_zipfile(path):
            raise TinyccError("not a Keras model: a .keras file is a zip archive, and this file is not one",
                              file=str(path), hint=save)
        with zipfile.ZipFile(path) as z:
            if "config.json" not in z.namelist():
                raise TinyccError("not a Keras model: the zip archive has no config.json", file=str(path), hint=save)
    elif path.suffix.lower() == ".h5":
        with open(path, "rb") as f:        # the HDF5 signature, at 0 or after a user block of 512 * 2^k bytes
            heads = [(f.seek(at), f.read(8))[1] for at in (0, 512, 1024, 2048, 4096)]
        if b"\x89HDF\r\n\x1a\n" not in heads:
            raise TinyccError("not a Keras model: an .h5 file is HDF5, and this file has no HDF5 signature",
                              file=str(path), hint=save)


# TensorFlow names an unrolled cell's ops per step: .../lstm_1/lstm_cell_5/Sigmoid_2 is step k's Sigmoid_2
STEP_SCOPE = re.compile(r"(?<=/)(lstm_cell|gru_cell|simple_rnn_cell)_\d+(?=/)")


def step_roles(g: Graph) -> dict[str, str]:
    """The activations of unrolled recurrent layers -> their role, the same at every step (the name
    without the step's cell scope number): calibration gives a role one range (Metadata.tied)."""
    roles = {}
    for node in g.nodes:
        for out in node.outputs:
            role = STEP_SCOPE.sub(r"\1", out)
            if role != out:
                roles[out] = role
    return roles


def load_keras(path: Path) -> Graph:
    from tinycc.plugins.importers.tflite import load_tflite
    path = Path(path)
    notes: list[str] = []
    rolled: list[str] = []
    g = load_tflite(path, keras_to_tflite(path, notes, rolled))
    g.metadata.notes.extend(notes)
    if g.subgraphs and rolled:
        g.metadata.control_flow = ControlFlowNote(
            why=f"TensorFlow's converter made WHILE loops of the Keras recurrent layer{'s' if len(rolled) > 1 else ''} "
                f"tinycc could not unroll: {'; '.join(rolled)}",
            hint="build the recurrent layer with unroll=True (and a fixed sequence length), or use a fused LSTM/GRU "
                 "layer; the float model compiles (--quantize none)")
    g.metadata.tied = step_roles(g)
    g.name = path.stem if path.is_file() else path.name
    g.source = str(path)
    g.metadata.format = "keras"
    return g


class KerasImporter:
    name = "keras"
    description = "Keras models (.keras, .h5) and SavedModel folders, via TensorFlow's TFLite converter"

    def can_import(self, path: Path) -> bool:
        path = Path(path)
        return path.suffix.lower() in (".keras", ".h5") or (path.is_dir() and (path / "saved_model.pb").exists())

    def load(self, path: Path, options: dict) -> Graph:
        return load_keras(Path(path))


@hookimpl
def tinycc_importers():
    return [KerasImporter()]
