"""LOGISTIC and TANH cases: random single-op models and their hostile int16 quantisation (TFLM's int16
Prepare: zero points 0, output scale 2^-15, a power-of-two input scale taking the table directly, any
other scale an input multiplier of 1..32767)."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._common import io_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("int8", "int16", "float32")
OUT_16 = (2.0 ** -15, 0)


def build(op: str, rng, dtype: str, out_int8: tuple, pot_scales: tuple):
    """Random shape; int16 input scales are TFLM's power-of-two ones half the time, otherwise drawn from
    1e-5..2.5 (from all inputs saturating to none doing so)."""
    shape = random_shape(rng)
    if dtype == "int16":
        if rng.random() < 0.5:
            s_in = float(rng.choice(pot_scales))
        else:
            s_in = float(np.float32(np.exp(rng.uniform(np.log(1e-5), np.log(2.5)))))
        return single_op(op, [act("x", shape, "int16", q(s_in, 0))], act("y", (), "int16", q(*OUT_16)))
    x = io_tensor(rng, dtype, shape)
    out = act("y", (), dtype) if dtype == "float32" else act("y", (), "int8", q(*out_int8))
    return single_op(op, [x], out)


def int16(op: str, s_in: float, zp_in: int = 0, out: tuple = OUT_16, checked: bool = True):
    x, y = act("x", (3, 37), "int16", q(s_in, zp_in)), act("y", (), "int16", q(*out))
    return (single_op if checked else unchecked_single_op)(op, [x], y)


def hostile(op: str, pot_scales: tuple):
    """HOSTILE_VALID and HOSTILE_INVALID of one of the two ops."""
    valid = {f"{op}_int16_smallest_input_scale": lambda: int16(op, 4e-14),       # multiplier ~1, shift 31
             f"{op}_int16_largest_input_scale": lambda: int16(op, 2.666),         # multiplier 32759, shift 0
             f"{op}_int16_near_power_of_two": lambda: int16(op, 2.0 ** -12 * 1.0004),   # CheckedLog2 within 1e-3
             f"{op}_int16_power_of_two_general_path": lambda: int16(op, 2.0 ** -9)}
    for s in pot_scales:
        valid[f"{op}_int16_power_of_two_{s:g}"] = (lambda s=s: int16(op, s))
    invalid = {f"{op}_int16_input_scale_too_large": (lambda: int16(op, 3.0, checked=False),
                                                     ["'x' scale 3", "36864", "1..32767"]),
               f"{op}_int16_input_scale_too_small": (lambda: int16(op, 1e-15, checked=False),
                                                     ["'x' scale 1e-15", "is 0"]),
               f"{op}_int16_input_zero_point": (lambda: int16(op, 2.0 ** -12, zp_in=3, checked=False),
                                                ["'x'", "zero point 3"]),
               f"{op}_int16_output_scale": (lambda: int16(op, 2.0 ** -12, out=(2.0 ** -14, 0), checked=False),
                                            ["'y'", "2^-15", "6.10352e-05"])}
    return valid, invalid
