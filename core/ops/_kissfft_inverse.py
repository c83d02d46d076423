"""KISS FFT's inverse real FFT (kiss_fftri, kissfft 1.3.0 as TF Lite Micro's signal library builds
it) in 16-bit fixed point, for SignalIrfft: the inverse configuration's twiddles (the phases
negated), the radix-4 butterfly's inverse branch, and kiss_fftri's pre-processing with its Q15
divisions by 2. The other butterflies, the rounding and the int16 wrap are core/ops/_kissfft.py's."""
from __future__ import annotations

import math

import numpy as np

from tinycc.core.ops import _kissfft as k


def twiddles(n: int) -> list[tuple[int, int]]:
    return [k.cexp(-(-2 * math.pi * i / n)) for i in range(n)]


def super_twiddles(ncfft: int) -> list[tuple[int, int]]:
    return [k.cexp(-(-math.pi * ((i + 1) / ncfft + 0.5))) for i in range(ncfft // 2)]


def _bfly4_inverse(F, o, fstride, tw, m):
    for j in range(m):
        f0, f1, f2, f3 = (k._div(F[o + j + q * m], 4) for q in range(4))
        s0, s1, s2 = k._mul(f1, tw[j * fstride]), k._mul(f2, tw[2 * j * fstride]), k._mul(f3, tw[3 * j * fstride])
        s5 = k._sub(f0, s1)
        f0 = k._add(f0, s1)
        s3, s4 = k._add(s0, s2), k._sub(s0, s2)
        F[o + j + 2 * m] = k._sub(f0, s3)
        F[o + j] = k._add(f0, s3)
        F[o + j + m] = k.wrap(s5[0] - s4[1]), k.wrap(s5[1] + s4[0])
        F[o + j + 3 * m] = k.wrap(s5[0] + s4[1]), k.wrap(s5[1] - s4[0])


BUTTERFLIES = {**k.BUTTERFLIES, 4: _bfly4_inverse}


def _work(F, o, f, fi, fstride, fac, j, tw):
    p, m = fac[j], fac[j + 1]
    for q in range(p):
        if m == 1:
            F[o + q] = f[fi + q * fstride]
        else:
            _work(F, o + q * m, f, fi + q * fstride, fstride * p, fac, j + 2, tw)
    BUTTERFLIES[p](F, o, fstride, tw, m)


def irfft_int16(x: np.ndarray, fft_length: int) -> np.ndarray:
    """kiss_fftri of fft_length / 2 + 1 (re, im) int16 bins: fft_length int16 samples."""
    n = fft_length // 2
    b = [(int(x[2 * i]), int(x[2 * i + 1])) for i in range(n + 1)]
    tmp = [(0, 0)] * n
    tmp[0] = k._div((k.wrap(b[0][0] + b[n][0]), k.wrap(b[0][0] - b[n][0])), 2)
    stw = super_twiddles(n)
    for i in range(1, n // 2 + 1):
        fk = k._div(b[i], 2)
        fnkc = k._div((b[n - i][0], k.wrap(-b[n - i][1])), 2)
        fek, t = k._add(fk, fnkc), k._sub(fk, fnkc)
        fok = k._mul(t, stw[i - 1])
        tmp[i] = k._add(fek, fok)
        lo = k._sub(fek, fok)
        tmp[n - i] = lo[0], k.wrap(-lo[1])
    F = [(0, 0)] * n
    _work(F, 0, tmp, 0, 1, k.factors(n), 0, twiddles(n))
    return np.array(F, dtype=np.int16).reshape(-1)
