"""Shared by the int16 LOGISTIC / TANH emitters and the integer LSTM: TFLM's sigmoid table as one constant
array per model (identical arrays are shared) and the kernel unit that interpolates it
(kernels/common/sigmoid_s16.h, the twin of core/ops/_sigmoid_table.py)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._unary_common import emit_float, io
from tinycc.core.ops import _sigmoid_table

UNIT = "sigmoid_s16.h"


def table(m) -> str:
    """The table's symbol: sigmoid_table_uint16 - 32768 as int16, and the kernel unit in use."""
    m.use_kernel(UNIT)
    return m.const_array((_sigmoid_table.TABLE - 32768).astype(np.int16), "sigmoid_table",
                         comment="TFLM's sigmoid_table_uint16 - 32768")


def emit(node, m, p, function: str):
    """float32: the float kernel; int16: `function` (tinycc_logistic_s16_n / tinycc_tanh_s16_n) with
    prepare's (multiplier, shift). int8 never comes here: it is a lookup table (backends/c/ops/lut.py)."""
    if p["dtype"] == "float32":
        return emit_float(node, m)
    tab = table(m)
    x, y, n = io(node, m)
    m.emit(f"{function}({n}, {x}, {y}, {p['multiplier']}, {p['shift']}, {tab});")
