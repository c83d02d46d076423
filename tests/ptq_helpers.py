"""Test support: a float graph quantised to int8 as `--calibration` does, without the driver's
accuracy report (test_ptq, test_keras_applications, test_calibration_methods)."""
from __future__ import annotations

import copy

from tinycc.core.graph import Graph
from tinycc.core.passes import Sequential
from tinycc.core.passes.calibrate import calibrate
from tinycc.core.passes.quantize import QuantizeInt8


def quantised(g: Graph, samples, io: str = "float", method: str = "minmax", bias_correction: bool = False) -> Graph:
    """A validated int8 copy of float graph `g`, calibrated on `samples` (a list of input lists) with
    `method`; `io` "float" or "int8" for its inputs and outputs. `g` is left as it is."""
    ranges = calibrate(g, samples, method=method)
    return Sequential(QuantizeInt8(ranges, io=io, bias_correction=bias_correction)).run(copy.deepcopy(g))
