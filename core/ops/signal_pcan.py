"""SignalPCAN (TFLM signal library, custom operator): per-channel energy normalisation of uint32
filter-bank channels by a noise estimate (signal/src/pcan_argc_fixed.cc): gain = the int16
gain_lut's piecewise polynomial at the noise estimate (sign-extended to uint32 as C does),
snr = (uint64 x * gain) >> snr_shift truncated to uint32, output = PcanShrink(snr) (x^2/4 below 2,
x - 1 above, 12 -> 6 fractional bits). The table is indexed up to 4 * 32 - 6 + 2 = 124: it needs
at least 125 entries; snr_shift must be in [0, 63] (a uint64 shift)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_pcan"
INPUTS = ("input", "noise_estimate", "gain_lut")
ATTRS = {"snr_shift": 0}
DTYPES = ("uint32",)
SIGNATURES = ("uint32, uint32, int16 -> uint32",)
RAW_INTEGERS = True
TFLITE = _signal.codec("SignalPCAN", ("snr_shift",))
LUT_MIN = 125
SNR_BITS, OUTPUT_BITS = 12, 6


def infer(node, g):
    x, noise, lut = (g.tensors[n] for n in node.inputs)
    for t in (x, noise, lut):
        _signal.rank(node, t, want=1)
    if noise.size != x.size:
        raise c.fail(node, f"noise_estimate {noise.name!r} has {noise.size} channels, the input {x.size}")
    if lut.size < LUT_MIN:
        raise c.fail(node, f"gain_lut {lut.name!r} has {lut.size} entries; TF Lite Micro reads up to entry "
                           f"{LUT_MIN - 1}", hint=f"a PCAN gain table has at least {LUT_MIN} entries")
    return [x.shape]


def prepare(node, g):
    return {"snr_shift": _signal.int_attr(node, "snr_shift", 0, 63, "a uint64 shift")}


def _wrap32(v: int) -> int:
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def gain(x: int, lut: list[int]) -> int:
    """TFLM's WideDynamicFunction as the int16 it returns."""
    if x <= 2:
        return lut[x]
    interval = _signal.msb32(x)
    base = 4 * interval - 6
    frac = ((x << (11 - interval)) if interval < 11 else (x >> (interval - 11))) & 0x3FF
    result = (lut[base + 2] * frac) >> 5
    result = _wrap32(result + lut[base + 1] * 32)
    result = _wrap32(result * frac)
    result = (result + (1 << 14)) >> 15
    result += lut[base]
    return ((result + 32768) & 0xFFFF) - 32768


def shrink(x: int) -> int:
    if x < (2 << SNR_BITS):
        return (x * x) >> (2 + 2 * SNR_BITS - OUTPUT_BITS)
    return (x >> (SNR_BITS - OUTPUT_BITS)) - (1 << OUTPUT_BITS)


def run(node, g, inputs, p):
    x, noise, lut = (a.tolist() for a in inputs)
    out = []
    for v, n in zip(x, noise):
        gn = gain(n, lut) & 0xFFFFFFFF
        snr = ((v * gn) >> p["snr_shift"]) & 0xFFFFFFFF
        out.append(shrink(snr))
    return [np.array(out, dtype=np.uint32)]
