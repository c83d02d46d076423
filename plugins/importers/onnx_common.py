"""What the ONNX importer and its per-operator conversions (onnx_ops/) share: the layout maps.

ONNX is NCHW and the core NHWC: a 4-D activation is held NHWC and remembered as "channels moved
last" (the importer's `nchw` set); these maps translate permutations and axes between the two.
"""
from __future__ import annotations

NCHW_TO_NHWC = (0, 2, 3, 1)
NHWC_TO_NCHW = (0, 3, 1, 2)
AXIS_TO_CORE = {0: 0, 1: 3, 2: 1, 3: 2}        # an NCHW axis -> its position in NHWC
