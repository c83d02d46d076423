"""CIRCULAR_BUFFER cases (TFLM's custom operator, int8 only). A fresh TFLM interpreter defines only
the newest frame of the buffer after one invoke (the older slots are the arena's prior content), so
the single-invoke cases keep one slot: with the valid output and any cycles_max, or without it and
cycles_max 1 (TFLM aborts the other invokes). tests/ops/test_circular_buffer.py runs many slots over
several invokes. HOSTILE_INVALID: what prepare and the importer refuse."""
from __future__ import annotations

from tests.ops.cases._movement import multi_op, shared_quant
from tests.tflite_builder import act, q

DTYPES = ("int8",)


def model(shape_hw, slots, cycles_max, flag, quant=None, out_quant=None, flag_dtype="bool", validated=True,
          in_shape=None) -> bytes:
    """A one-CIRCULAR_BUFFER model: input [1, 1, H, D], output [1, slots, H, D] (and the valid flag)."""
    h, d = shape_hw
    quant = q(0.05, 3) if quant is None else quant
    in_shape = in_shape or (1, 1, h, d)
    x = act("x", in_shape, "int8", quant)
    outs = [act("y", (in_shape[0], slots, h, d), "int8", out_quant or quant)]
    if flag:
        outs.append(act("valid", (), flag_dtype))
    return multi_op("circular_buffer", [x], outs, {"cycles_max": cycles_max, "num_slots": slots},
                    validated=validated)


def build(rng, dtype):
    hw = (int(rng.integers(1, 4)), int(rng.integers(1, 40)))
    flag = bool(rng.random() < 0.7)
    cycles = int(rng.integers(1, 5)) if flag else 1
    return model(hw, 1, cycles, flag, shared_quant(rng, dtype))


def _invalid(**kw):
    args = {"shape_hw": (1, 3), "slots": 4, "cycles_max": 2, "flag": True, "validated": False} | kw
    return lambda: model(**args)


HOSTILE_INVALID = {
    "circular_buffer_scale_differs": (_invalid(out_quant=q(0.1, 3)), ["quantised differently", "copies bytes"]),
    "circular_buffer_zero_point_differs": (_invalid(out_quant=q(0.05, 4)), ["quantised differently"]),
    "circular_buffer_aborting_without_flag": (_invalid(flag=False), ["every 2 invokes", "kTfLiteAbort"]),
    "circular_buffer_guess_without_flag": (_invalid(flag=False, cycles_max=None, slots=4),
                                           ["every 2 invokes", "valid output"]),
    "circular_buffer_process_dependent_guess": (_invalid(cycles_max=0, shape_hw=(2, 96)),
                                                ["prepared before", "(1, 4, 2, 96)", "cycles_max"]),
    "circular_buffer_batch": (_invalid(in_shape=(2, 1, 1, 3)), ["[1, 1, H, D]"]),
    "circular_buffer_cycles_int64": (_invalid(cycles_max=1 << 40), ["cycles_max", "int32"]),
    "circular_buffer_flag_int8": (_invalid(flag_dtype="int8"), ["int8", "circular_buffer"]),
}
