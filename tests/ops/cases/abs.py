"""ABS cases: random single-op models; quantised outputs share the input's scale or not (the
kernel rescales only when the scales differ); int16 inputs are also drawn without quantisation
(TFLM's plain |x|, the output quantised or not)."""
from __future__ import annotations

from tests.ops.cases._common import io_tensor, out_tensor, random_shape, unchecked_single_op
from tests.tflite_builder import act, q, single_op

DTYPES = ("float32", "int8", "int16")


def build(rng, dtype):
    shape = random_shape(rng)
    if dtype == "int16" and rng.random() < 0.3:          # plain integers: the output's quantisation is ignored
        out_quant = q(float(rng.uniform(0.01, 1.0)), 0) if rng.random() < 0.5 else None
        return single_op("abs", [act("x", shape, dtype)], act("y", (), dtype, out_quant))
    x = io_tensor(rng, dtype, shape)
    if dtype == "float32" or rng.random() < 0.3:
        return single_op("abs", [x], act("y", (), dtype, x.quant))
    return single_op("abs", [x], out_tensor(rng, dtype, x.quant.s * rng.uniform(0.3, 3)))


def _huge_ratio():
    x = act("x", (1, 8), "int8", q(0.5, 3))
    return unchecked_single_op("abs", [x], act("y", (), "int8", q(1e-12, 0)))


def _int16_zero_point():
    x = act("x", (1, 8), "int16", q(0.01, 5))
    return unchecked_single_op("abs", [x], act("y", (), "int16", q(0.01, 0)))


def _extreme_int8():
    x = act("x", (2, 9), "int8", q(0.5, -128))
    return single_op("abs", [x], act("y", (), "int8", q(0.5 / 2 ** 29, 127)))


def _extreme_int16():
    x = act("x", (2, 9), "int16", q(1.0, 0))
    return single_op("abs", [x], act("y", (), "int16", q(2.0 ** -20, 0)))


def _int16_plain_minimum():
    x = act("x", (4, 9), "int16")          # random inputs cover the whole range; -32768 is kept by std::abs
    return single_op("abs", [x], act("y", (), "int16"))


def _int16_quantised_in_plain_out():
    x = act("x", (1, 8), "int16", q(0.01, 0))
    return unchecked_single_op("abs", [x], act("y", (), "int16"))


def _int8_plain():
    return unchecked_single_op("abs", [act("x", (1, 8), "int8")], act("y", (), "int8"))


HOSTILE_VALID = {"abs_int8_largest_ratio": _extreme_int8, "abs_int16_large_ratio": _extreme_int16,
                 "abs_int16_plain": _int16_plain_minimum}
HOSTILE_INVALID = {"abs_scale_ratio_beyond_shift": (_huge_ratio, ["'x' scale", "'y' scale", "too large"]),
                   "abs_int16_zero_point": (_int16_zero_point, ["'x'", "zero point 5"]),
                   # TFLM's Prepare: a quantised int16 input needs a quantised output; int8 is always quantised
                   "abs_int16_quantised_input_plain_output": (_int16_quantised_in_plain_out,
                                                              ["'y'", "int16", "no quantisation parameters"]),
                   "abs_int8_unquantised": (_int8_plain, ["'x'", "int8", "no quantisation parameters"])}
