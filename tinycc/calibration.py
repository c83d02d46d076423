"""Loads calibration data for post-training quantisation from a .npz file.

One array per model input, keyed by the input's name (or, for a one-input model, any single
array), its first axis running over samples; each sample has the input's shape, with or
without its leading batch dimension of 1.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph


def load_calibration(path, g: Graph) -> list[list[np.ndarray]]:
    path = Path(path)
    if not path.is_file():
        raise TinyccError("calibration file not found", file=str(path))
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise TinyccError(f"cannot read calibration data: {exc}", file=str(path),
                          hint="save it with numpy.savez(path, **{input_name: samples})") from None
    if len(g.inputs) == 1 and len(arrays) == 1:
        arrays = {g.inputs[0]: next(iter(arrays.values()))}
    missing = [n for n in g.inputs if n not in arrays]
    if missing:
        raise TinyccError(f"no calibration array for input(s) {', '.join(map(repr, missing))}", file=str(path),
                          hint=f"the arrays in the file are named {', '.join(map(repr, arrays)) or 'nothing'}")
    per_input = []
    for name in g.inputs:
        t = g.tensors[name]
        a = np.asarray(arrays[name])
        shape = tuple(t.shape)
        if a.shape[1:] == shape:
            samples = a
        elif shape[:1] == (1,) and a.shape[1:] == shape[1:]:
            samples = a.reshape((a.shape[0],) + shape)
        else:
            raise TinyccError(f"calibration array {name!r} has shape {a.shape}; expected (N, {', '.join(map(str, shape))})",
                              file=str(path), hint="the first axis runs over samples")
        if samples.shape[0] == 0:
            raise TinyccError(f"calibration array {name!r} holds no samples", file=str(path))
        per_input.append(samples.astype(np.float32))
    count = min(s.shape[0] for s in per_input)
    return [[s[k] for s in per_input] for k in range(count)]
