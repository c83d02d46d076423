"""HARD_SWISH: x * relu6(x + 3) / 6 (MobileNetV3). int8 as TF Lite Micro's reference_ops::HardSwish
(kernels/internal/reference/hard_swish.h, HardSwishPrepare in hard_swish_common.cc): the input on a
"hires" scale (x 2^7, int16), a 16-bit output multiplier and a 16-bit "relu-ish" multiplier that maps
[-3, 3] onto [-1, 1], every intermediate an int16 as the C++ stores it. float32: the plain formula.

Prepare follows TFLM's arithmetic: hires scale = input scale / 128 and both ratios in float32,
QuantizeMultiplier in double, DownScaleInt32ToInt16Multiplier. TFLM refuses a positive output
exponent (output scale <= input scale / 128); so does tinycc, and a relu-ish factor whose shift the
kernel's `1 << amount` cannot apply (ql.rescale). In the c backend int8 is a 256-entry table of run().
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite, _unary
from tinycc.core.ops import common as c

NAME = "hard_swish"
ONNX_OP = "HardSwish"             # one node of this ONNX operator is one of this op
INPUTS, infer = _unary.INPUTS, _unary.infer
ATTRS: dict = {}
DTYPES = ("int8", "float32")                            # TFLM's HardSwishEval: float32 and int8 only
SIGNATURES = tuple(f"{d} -> {d}" for d in DTYPES)
ELEMENTWISE, IN_PLACE = True, "elementwise"
TFLITE = _tflite.TFLite("HARD_SWISH")

INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1


def _downscale_to_int16(m32: int) -> int:
    """DownScaleInt32ToInt16Multiplier: a Q0.31 multiplier rounded to Q0.15 (saturating)."""
    if m32 >= (1 << 31) - 1 - (1 << 15):
        return INT16_MAX
    return (m32 + (1 << 15)) >> 16


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    if dtype == "float32":
        return {"dtype": dtype}
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    in_s, out_s = np.float32(x.quant.s), np.float32(out.quant.s)
    hires = np.float32(np.float32(1.0 / 128.0) * in_s)
    out_real = float(np.float32(hires / out_s))
    relu_real = float(np.float32(hires / np.float32(3.0 / 32768.0)))
    m_out, e_out = ql.rescale(out_real, f"{ql.tensor_scale(x)} / 128 / {ql.tensor_scale(out)}")
    if e_out > 0:
        raise c.fail(node, f"the output multiplier {out_real:.6g} ({ql.tensor_scale(x)} / 128 / "
                           f"{ql.tensor_scale(out)}) needs a left shift of {e_out}; TFLM's HARD_SWISH "
                           "accepts only factors below 1",
                     hint="the output scale must exceed the input scale / 128 (TF Lite Micro refuses it too)")
    m_relu, e_relu = ql.rescale(relu_real, f"{ql.tensor_scale(x)} / 128 / (3 / 32768)")
    return {"dtype": dtype, "input_zp": x.quant.zp, "output_zp": out.quant.zp,
            "output_multiplier": _downscale_to_int16(m_out), "output_exponent": e_out,
            "reluish_multiplier": _downscale_to_int16(m_relu), "reluish_exponent": e_relu}


# --- int16 fixed point as the C++ computes it (every store to int16_t wraps) ---------------------

def _wrap16(v) -> np.ndarray:
    return ((np.asarray(v, dtype=np.int64) + (1 << 15)) & 0xFFFF) - (1 << 15)


def _trunc_div(v: np.ndarray, d: int) -> np.ndarray:
    return np.sign(v) * (np.abs(v) // d)


def _srdhm16(a, b: int) -> np.ndarray:
    """gemmlowp SaturatingRoundingDoublingHighMul(int16, int16)."""
    ab = a * b
    out = _wrap16(_trunc_div(ab + np.where(ab >= 0, 1 << 14, 1 - (1 << 14)), 1 << 15))
    return np.where((a == b) & (a == INT16_MIN), INT16_MAX, out)


def _sdhm16(a, b) -> np.ndarray:
    """TFLM's SaturatingDoublingHighMul(int16, int16): rounds toward zero."""
    out = _wrap16(_trunc_div(a * b, 1 << 15))
    return np.where((a == b) & (a == INT16_MIN), INT16_MAX, out)


def _rounding_divide_by_pot16(v, exponent: int) -> np.ndarray:
    """gemmlowp RoundingDivideByPOT<int16_t>: the mask, threshold and sum are int16 (a mask of
    2^exponent - 1 truncates to -1 from exponent 16 on, as in C++)."""
    mask = int(_wrap16((1 << exponent) - 1))
    remainder = _wrap16(v & mask)
    threshold = _wrap16((mask >> 1) + (v < 0).astype(np.int64))
    return _wrap16((v >> exponent) + (remainder > threshold).astype(np.int64))


def run(node, g, inputs, p):
    x = inputs[0]
    if p["dtype"] == "float32":
        x = x.astype(np.float32)
        return [(x * np.minimum(np.float32(6), np.maximum(np.float32(0), x + np.float32(3))) / np.float32(6))
                .astype(np.float32)]
    value = _wrap16(x.astype(np.int64) - p["input_zp"])
    hires = _wrap16(value * (1 << 7))
    preshift_out = _srdhm16(hires, p["output_multiplier"])
    e = p["reluish_exponent"]
    reluish = hires
    if e > 0:
        reluish = fp.saturating_left_shift(reluish, e - 1, 16)
    reluish = _srdhm16(reluish, p["reluish_multiplier"])
    if e > 0:
        reluish = fp.saturating_left_shift(reluish, 1, 16)
    if e < 0:
        reluish = _rounding_divide_by_pot16(reluish, -e)
    reluish = _wrap16((reluish + (1 << 15)) >> 1)
    y = _rounding_divide_by_pot16(_sdhm16(reluish, preshift_out), -p["output_exponent"])
    y = _wrap16(y + p["output_zp"])
    return [np.clip(y, -128, 127).astype(np.int8)]
