"""Benchmark transformers made on the spot (nothing downloaded, nothing committed): the KWT-style
keyword-spotting transformer of tests/transformer_models.py (49 MFCC frames of 40, d_model 32,
2 heads, 2 encoder layers, 12 classes), imported by tinycc (PyTorch through torch.onnx.export at
opset 17; Keras through its `.keras` file and TensorFlow's converter), quantised to int8 by
tinycc's post-training quantisation on 32 seeded MFCC-like samples, and written as an int8
.tflite (float input and output) for bench_cortexm.py's table. Each builder returns (bytes, None)
or (None, the reason it cannot).
"""
from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import numpy as np


def _quantised_tflite(load) -> tuple[bytes | None, str | None]:
    from tests.transformer_models import mfcc_like
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.driver import quantize_model
    try:
        with tempfile.TemporaryDirectory() as tmp:
            g = load(Path(tmp))
    except ImportError as e:
        return None, f"needs its framework: {e}"
    except Exception as e:               # pytest.skip from the model builders (a framework is missing)
        if type(e).__name__ == "Skipped":
            return None, str(e)
        raise
    cal = [[x] for x in mfcc_like(np.random.default_rng(0), 32)]
    return write_tflite(quantize_model(copy.deepcopy(g), {"calibration": cal})), None


def kwt_pytorch():
    from tests.transformer_models import torch_onnx
    from tinycc.plugins.importers.onnx import load_onnx
    return _quantised_tflite(lambda tmp: load_onnx(torch_onnx(tmp / "kwt.onnx", opset=17)))


def kwt_keras():
    from tests.transformer_models import keras_file
    from tinycc.plugins.importers.keras import load_keras
    return _quantised_tflite(lambda tmp: load_keras(keras_file(tmp / "kwt.keras")))


BUILDERS = {"kwt_pytorch": kwt_pytorch, "kwt_keras": kwt_keras}
