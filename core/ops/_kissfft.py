"""KISS FFT's 16-bit fixed-point real FFT, as TF Lite Micro's signal library builds it (kissfft
1.3.0 with FIXED_POINT 16: tools/kiss_fftr.c over kiss_fft.c), operation for operation, so
SignalRfft's int16 output is TFLM's bit for bit.

Q15 arithmetic: every product is rounded `(x + 2^14) >> 15`, every stage first divides its inputs
by its radix (x * (32767 / radix), rounded), and every stored value is truncated to int16 as C
stores it. Twiddles are floor(0.5 + 32767 * cos/sin(phase)) in double precision. The complex FFT
of n = fft_length / 2 points factors n into 4s, then 2s, then odd primes (kf_factor); TFLM's
patched kissfft cannot allocate the scratch of a radix above 5, so tinycc refuses those lengths.
"""
from __future__ import annotations

import math

import numpy as np

SAMP_MAX = 32767


def wrap(v: int) -> int:
    return ((v + 32768) & 0xFFFF) - 32768


def sround(x: int) -> int:
    return wrap((x + (1 << 14)) >> 15)


def cexp(phase: float) -> tuple[int, int]:
    return int(math.floor(0.5 + SAMP_MAX * math.cos(phase))), int(math.floor(0.5 + SAMP_MAX * math.sin(phase)))


def factors(n: int) -> list[int]:
    """kf_factor: [p1, m1, p2, m2, ...] (radix, remaining length)."""
    out, p = [], 4
    floor_sqrt = math.floor(math.sqrt(n))
    while True:
        while n % p:
            p = {4: 2, 2: 3}.get(p, p + 2)
            if p > floor_sqrt:
                p = n
        n //= p
        out += [p, n]
        if n <= 1:
            return out


def twiddles(n: int) -> list[tuple[int, int]]:
    return [cexp(-2 * math.pi * i / n) for i in range(n)]


def super_twiddles(ncfft: int) -> list[tuple[int, int]]:
    return [cexp(-math.pi * ((i + 1) / ncfft + 0.5)) for i in range(ncfft // 2)]


def supported(fft_length: int) -> bool:
    """An even length whose half factors into radices 2..5 (TFLM crashes on the generic radix)."""
    if fft_length < 2 or fft_length % 2:
        return False
    return set(factors(fft_length // 2)[0::2]) <= {2, 3, 4, 5}


def _mul(a, b):
    return sround(a[0] * b[0] - a[1] * b[1]), sround(a[0] * b[1] + a[1] * b[0])


def _div(a, k):
    return sround(a[0] * (SAMP_MAX // k)), sround(a[1] * (SAMP_MAX // k))


def _add(a, b):
    return wrap(a[0] + b[0]), wrap(a[1] + b[1])


def _sub(a, b):
    return wrap(a[0] - b[0]), wrap(a[1] - b[1])


def _bfly2(F, o, fstride, tw, m):
    for k in range(m):
        a, b = _div(F[o + k], 2), _div(F[o + k + m], 2)
        t = _mul(b, tw[k * fstride])
        F[o + k + m] = _sub(a, t)
        F[o + k] = _add(a, t)


def _bfly3(F, o, fstride, tw, m):
    epi3 = tw[fstride * m]
    for k in range(m):
        f0, f1, f2 = (_div(F[o + k + j * m], 3) for j in range(3))
        s1, s2 = _mul(f1, tw[k * fstride]), _mul(f2, tw[2 * k * fstride])
        s3, s0 = _add(s1, s2), _sub(s1, s2)
        f1 = wrap(f0[0] - (s3[0] >> 1)), wrap(f0[1] - (s3[1] >> 1))
        s0 = sround(s0[0] * epi3[1]), sround(s0[1] * epi3[1])
        F[o + k] = _add(f0, s3)
        F[o + k + 2 * m] = wrap(f1[0] + s0[1]), wrap(f1[1] - s0[0])
        F[o + k + m] = wrap(f1[0] - s0[1]), wrap(f1[1] + s0[0])


def _bfly4(F, o, fstride, tw, m):
    for k in range(m):
        f0, f1, f2, f3 = (_div(F[o + k + j * m], 4) for j in range(4))
        s0, s1, s2 = _mul(f1, tw[k * fstride]), _mul(f2, tw[2 * k * fstride]), _mul(f3, tw[3 * k * fstride])
        s5 = _sub(f0, s1)
        f0 = _add(f0, s1)
        s3, s4 = _add(s0, s2), _sub(s0, s2)
        F[o + k + 2 * m] = _sub(f0, s3)
        F[o + k] = _add(f0, s3)
        F[o + k + m] = wrap(s5[0] + s4[1]), wrap(s5[1] - s4[0])
        F[o + k + 3 * m] = wrap(s5[0] - s4[1]), wrap(s5[1] + s4[0])


def _bfly5(F, o, fstride, tw, m):
    ya, yb = tw[fstride * m], tw[fstride * 2 * m]
    for u in range(m):
        s0, f1, f2, f3, f4 = (_div(F[o + u + j * m], 5) for j in range(5))
        s1, s2 = _mul(f1, tw[u * fstride]), _mul(f2, tw[2 * u * fstride])
        s3, s4 = _mul(f3, tw[3 * u * fstride]), _mul(f4, tw[4 * u * fstride])
        s7, s10, s8, s9 = _add(s1, s4), _sub(s1, s4), _add(s2, s3), _sub(s2, s3)
        F[o + u] = wrap(s0[0] + s7[0] + s8[0]), wrap(s0[1] + s7[1] + s8[1])
        s5 = (wrap(s0[0] + sround(s7[0] * ya[0]) + sround(s8[0] * yb[0])),
              wrap(s0[1] + sround(s7[1] * ya[0]) + sround(s8[1] * yb[0])))
        s6 = (wrap(sround(s10[1] * ya[1]) + sround(s9[1] * yb[1])),
              wrap(-sround(s10[0] * ya[1]) - sround(s9[0] * yb[1])))
        F[o + u + m], F[o + u + 4 * m] = _sub(s5, s6), _add(s5, s6)
        s11 = (wrap(s0[0] + sround(s7[0] * yb[0]) + sround(s8[0] * ya[0])),
               wrap(s0[1] + sround(s7[1] * yb[0]) + sround(s8[1] * ya[0])))
        s12 = (wrap(-sround(s10[1] * yb[1]) + sround(s9[1] * ya[1])),
               wrap(sround(s10[0] * yb[1]) - sround(s9[0] * ya[1])))
        F[o + u + 2 * m], F[o + u + 3 * m] = _add(s11, s12), _sub(s11, s12)


BUTTERFLIES = {2: _bfly2, 3: _bfly3, 4: _bfly4, 5: _bfly5}


def _work(F, o, f, fi, fstride, fac, k, tw):
    p, m = fac[k], fac[k + 1]
    for q in range(p):
        if m == 1:
            F[o + q] = f[fi + q * fstride]
        else:
            _work(F, o + q * m, f, fi + q * fstride, fstride * p, fac, k + 2, tw)
    BUTTERFLIES[p](F, o, fstride, tw, m)


def rfft_int16(x: np.ndarray, fft_length: int) -> np.ndarray:
    """kiss_fftr of one zero-padded int16 frame: fft_length / 2 + 1 bins as (re, im) int16 pairs."""
    n = fft_length // 2
    frame = np.zeros(fft_length, dtype=np.int64)
    frame[:x.size] = x
    f = [(int(frame[2 * k]), int(frame[2 * k + 1])) for k in range(n)]
    F = [(0, 0)] * n
    _work(F, 0, f, 0, 1, factors(n), 0, twiddles(n))
    out = [(0, 0)] * (n + 1)
    tdc = _div(F[0], 2)
    out[0] = wrap(tdc[0] + tdc[1]), 0
    out[n] = wrap(tdc[0] - tdc[1]), 0
    stw = super_twiddles(n)
    for k in range(1, n // 2 + 1):
        fpk = _div(F[k], 2)
        fpnk = _div((F[n - k][0], wrap(-F[n - k][1])), 2)
        f1k, f2k = _add(fpk, fpnk), _sub(fpk, fpnk)
        tw = _mul(f2k, stw[k - 1])
        out[k] = wrap((f1k[0] + tw[0]) >> 1), wrap((f1k[1] + tw[1]) >> 1)
        out[n - k] = wrap((f1k[0] - tw[0]) >> 1), wrap((tw[1] - f1k[1]) >> 1)
    return np.array(out, dtype=np.int16).reshape(-1)
