"""ASSIGN_VARIABLE: a resource variable (core/control.py) takes the value of input 1; no output."""
from __future__ import annotations

import numpy as np

from tinycc.core import control
from tinycc.core.ops import _tflite

NAME = "assign_variable"
RESOURCE_ROLE = "assign"
INPUTS = ("resource", "value")
ATTRS: dict = {}
DTYPES = ("resource",)
SIGNATURES: tuple[str, ...] = ()       # no output; the value's dtype makes the variable's (control.variables)
ORDERED = True


def infer(node, g):
    return []


def prepare(node, g):
    return {"key": control.handle_key(node, g)}


def run(node, g, inputs, p):
    rt = p["runtime"]
    rt.values[p["key"]] = np.array(inputs[1], copy=True).reshape(rt.values[p["key"]].shape)
    return []


TFLITE = _tflite.TFLite("ASSIGN_VARIABLE", fused_activation=False)
