"""SignalFilterBankLog (TFLM signal library, custom operator): the natural log of each uint32
channel, scaled by output_scale / 2^16, as int16 (signal/src/filter_bank_log.cc, log.cc): the input
is shifted left by input_correction_bits (uint32, wrapping), values <= 1 give 0, others TFLM's
fixed-point Log32 (a 129-entry interpolation table; uint32 arithmetic, output_scale read as uint32)
capped at 32767. input_correction_bits must be in [0, 31] (a uint32 shift)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal

NAME = "signal_filter_bank_log"
INPUTS = ("input",)
ATTRS = {"input_correction_bits": 0, "output_scale": 1}
DTYPES = ("uint32",)
SIGNATURES = ("uint32 -> int16",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalFilterBankLog", ("input_correction_bits", "output_scale"))

LOG_LUT = (0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087,
           3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864,
           4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595,
           5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470,
           5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630,
           4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186,
           3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
           1094, 963, 830, 695, 559, 421, 282, 142, 0, 0)
LOG_COEFF = 45426          # 2^16 / log2(e)


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    return [x.shape]


def prepare(node, g):
    return {"correction_bits": _signal.int_attr(node, "input_correction_bits", 0, 31, "a uint32 shift"),
            "output_scale": _signal.int_attr(node, "output_scale") & 0xFFFFFFFF}


def log32(x: int, out_scale: int) -> int:
    """TFLM's Log32(x, out_scale) for x >= 2."""
    integer = _signal.msb32(x) - 1
    frac = x - (1 << integer)
    frac = frac << (16 - integer) if integer < 16 else frac >> (integer - 16)
    seg = frac >> 9
    c0, c1 = LOG_LUT[seg], LOG_LUT[seg + 1]
    rel = ((c1 - c0) * (frac - 512 * seg)) >> 16
    log2 = ((integer << 16) + frac + c0 + rel) & 0xFFFFFFFF
    loge = ((LOG_COEFF * log2 + 32768) >> 16) & 0xFFFFFFFF
    return (((out_scale * loge) & 0xFFFFFFFF) + 32768 & 0xFFFFFFFF) >> 16


def run(node, g, inputs, p):
    bits, scale = p["correction_bits"], p["output_scale"]
    out = []
    for v in inputs[0].tolist():
        scaled = (v << bits) & 0xFFFFFFFF
        out.append(min(log32(scaled, scale), 32767) if scaled > 1 else 0)
    return [np.array(out, dtype=np.int16)]
