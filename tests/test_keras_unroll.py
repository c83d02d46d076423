"""Keras recurrent layers the importer cannot unroll (plugins/importers/keras.py `unrolled`).

A model with two keras.layers.RNN layers over a custom cell (tests/keras_custom_cell.py): one is
cloned with unroll=True (its steps become plain operators), the other takes an initial state, which
the clone cannot rebuild, so TensorFlow's converter makes a WHILE loop of it. Through the CLI:
with --calibration the compile is refused with exit status 2, no traceback, naming that layer (name,
class, cell class, why) and the way out (unroll=True, a fused LSTM/GRU, float compiles), and not
the layer that was unrolled; without calibration the float model compiles (exit 0). The same cell
built with unroll=True leaves no loop.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.tflm import REPO

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# the CLI in a process where the custom cell is registered (a user's package importing it)
CLI = ("import sys, runpy; import tests.keras_custom_cell; sys.argv = ['tinycc', *sys.argv[1:]]; "
       "runpy.run_module('tinycc', run_name='__main__')")


def two_rnn_model(keras, cell, unroll=False):
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(6, 4))
    seq = keras.layers.RNN(cell.ElmanCell(5), return_sequences=True, name="plain_rnn")(inp)
    h0 = keras.layers.Dense(8, activation="tanh")(keras.layers.Flatten()(inp))
    x = keras.layers.RNN(cell.ElmanCell(8), name="stateful_rnn", unroll=unroll)(seq, initial_state=[h0])
    return keras.Model(inp, keras.layers.Dense(3)(x))


def cli(*args):
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True, text=True, cwd=REPO,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_cli_names_the_recurrent_layer_it_cannot_unroll(tmp_path):
    pytest.importorskip("tensorflow", reason="the keras extra is not installed (pip install 'tinycc-ml[keras]')")
    keras = pytest.importorskip("keras")
    from tests import keras_custom_cell
    path = tmp_path / "custom_cell.keras"
    two_rnn_model(keras, keras_custom_cell).save(path)
    np.savez(tmp_path / "cal.npz", x=np.random.default_rng(0).normal(size=(8, 6, 4)).astype(np.float32))

    proc = cli("compile", path, "--calibration", tmp_path / "cal.npz", "-o", tmp_path / "int8")
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr
    assert "Traceback" not in err and "internal error" not in err
    assert "'stateful_rnn' (RNN, cell ElmanCell)" in err and "whose clone failed" in err, err
    assert "plain_rnn" not in err                       # unrolled: no loop of its own
    assert "unroll=True" in err and "fused LSTM/GRU" in err and "--quantize none" in err, err
    assert not (tmp_path / "int8").exists()

    proc = cli("compile", path, "-o", tmp_path / "float")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "float" / "model.c").is_file()


def test_the_same_cell_built_with_unroll_leaves_no_loop(tmp_path):
    pytest.importorskip("tensorflow", reason="the keras extra is not installed (pip install 'tinycc-ml[keras]')")
    keras = pytest.importorskip("keras")
    from tests import keras_custom_cell
    from tinycc.plugins.importers.keras import load_keras
    path = tmp_path / "unrolled.keras"
    two_rnn_model(keras, keras_custom_cell, unroll=True).save(path)
    g = load_keras(path)
    assert not g.subgraphs and g.metadata.control_flow is None
    assert any("plain_rnn unrolled" in note for note in g.metadata.notes), g.metadata.notes
