"""READ_VARIABLE: the current value of a resource variable (core/control.py), copied to the output."""
from __future__ import annotations

import numpy as np

from tinycc.core import control
from tinycc.core.ops import _tflite

NAME = "read_variable"
RESOURCE_ROLE = "read"
INPUTS = ("resource",)
ATTRS: dict = {}
DTYPES = ("resource",)
SIGNATURES: tuple[str, ...] = ()       # any value dtype: checked against the variable (control.variables)
ORDERED = True


def infer(node, g):
    out = g.tensors[node.outputs[0]]
    return [out.shape]


def prepare(node, g):
    return {"key": control.handle_key(node, g)}


def run(node, g, inputs, p):
    return [np.array(p["runtime"].values[p["key"]], copy=True)]


TFLITE = _tflite.TFLite("READ_VARIABLE", fused_activation=False)
