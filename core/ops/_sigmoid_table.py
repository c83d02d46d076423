"""TF Lite Micro's int16 sigmoid and tanh (reference_integer_ops::Logistic / Tanh on int16): linear
interpolation in one 256-entry table of sigmoid(i / 24) in 0.16 (tanh(x) = 2 sigmoid(2x) - 1), used by
LOGISTIC, TANH and the integer LSTM's gates (core/ops/_lstm.py), and the input scaling their Prepare
computes. The c backend's twin is kernels/common/sigmoid_s16.h (the table passed as a constant array).
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp

# TFLM's sigmoid_table_uint16 (kernels/internal/common.h, Apache-2.0): sigmoid(i / 24) in 0.16 as TFLM tabulates it (no
# rounding rule reproduces every entry, so the values are TFLM's), shared by its int16 sigmoid and tanh
TABLE = np.array([
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
], dtype=np.int64)


# the (multiplier, shift) the functions take: an int16 input x multiplier >> shift is the table position in
# units of 1/(24 x 2^9) (sigmoid) or 1/(48 x 2^8) (tanh): +-2^17 is +-10.7
MAX_MULTIPLIER = 32767        # TFLM's Prepare: TFLITE_DCHECK_LE(input_multiplier, 32767)


def _scaled(x, multiplier: int, shift: int) -> np.ndarray:
    """(x * multiplier + round) >> shift, as the kernels' first line (arithmetic shift)."""
    round_ = (1 << (shift - 1)) if shift > 0 else 0
    return (np.asarray(x, dtype=np.int64) * multiplier + round_) >> shift


def sigmoid_s16(x: np.ndarray, multiplier: int = 3, shift: int = 0) -> np.ndarray:
    """reference_integer_ops::Logistic on int16 with a resolved (multiplier, right shift); the default is
    the power-of-two case of a Q3.12 input (multiplier 3 << 0), the LSTM's gates. Output Q0.15."""
    v = _scaled(x, multiplier, shift)
    a = np.abs(v)
    uh = a >> 9
    idx = np.minimum(uh, 254)
    ua, ub = TABLE[idx], TABLE[idx + 1]
    r = np.where(uh >= 255, 0x7FFF << 10, (ua << 9) + (a & 0x1FF) * (ub - ua))
    r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1)
    return (r >> 10).astype(np.int16)


def tanh_s16(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """reference_integer_ops::Tanh on int16 with a resolved (multiplier, right shift). Output Q0.15."""
    v = _scaled(x, multiplier, shift)
    a = np.abs(v)
    uh = a >> 8
    idx = np.minimum(uh, 254)
    ua, ub = TABLE[idx], TABLE[idx + 1]
    r = np.where(uh >= 255, 0xFFFF << 8, (ua << 8) + (a & 0xFF) * (ub - ua))
    r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1)
    return (r >> 8).astype(np.int16)


def tanh_input_scaling(power: int) -> tuple[int, int]:
    """lstm_internal::Tanh's (multiplier, right shift) for a Q(-power) input, resolved as
    reference_integer_ops::Tanh does (power-of-two case: 3 << left shift, no right shift)."""
    left = 15 + power - 3
    if left < 0:
        return 3, -left
    return 3 << left, 0


def input_scaling(scale: float, pot_shifts: tuple[int, ...]) -> tuple[int, int]:
    """The (multiplier, right shift) LOGISTIC's / TANH's int16 Prepare computes for an input scale, resolved
    as the kernel resolves it: a power-of-two scale whose shift 12 + log2(scale) is one of `pot_shifts`
    (LOGISTIC: 0; TANH: 0, 1) gives (3 << shift, 0); any other scale x 3 x 4096 is doubled (shift + 1)
    while at most 32767 / 2 and the shift at most 30, then truncated. The caller checks the multiplier
    (1..MAX_MULTIPLIER: 0 would take the power-of-two path with 3 << 31)."""
    power, exact = fp.checked_log2(scale)
    left = 12 + power
    if exact and left in pot_shifts:
        return 3 << left, 0
    multiplier, shift = float(np.float32(scale)) * 4096.0 * 3.0, 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    return int(min(multiplier, 2.0 ** 40)), shift
