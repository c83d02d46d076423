"""Loads calibration data for post-training quantisation from a .npz (or .npy) file.

One array per model input, keyed by the input's name (or, for a one-input model, any single
array, so a .npy file too), its first axis running over samples; each sample has the input's
shape, with or without its leading batch dimension of 1. The file is read by
tinycc.array_files: headers checked against the model before any data is read.
"""
from __future__ import annotations

import numpy as np

from tinycc.array_files import Input, load_samples
from tinycc.core.graph import Graph


def load_calibration(path, g: Graph) -> list[list[np.ndarray]]:
    inputs = [Input(name, tuple(g.tensors[name].shape), "float32") for name in g.inputs]
    per_input = load_samples(path, inputs, what="calibration array")
    count = min(s.shape[0] for s in per_input)
    return [[s[k] for s in per_input] for k in range(count)]
