"""KISS FFT in B-bit fixed point (kissfft 1.3.0 with FIXED_POINT B, as TF Lite Micro's signal library
builds it: tools/kiss_fftr.c over kiss_fft.c), forward (kiss_fftr) and inverse (kiss_fftri), for
SignalRfft / SignalIrfft int32 (B = 32, Q31). Same operations as core/ops/_kissfft.py (int16), with
B-bit scalars: products are 2B-bit, rounded (x + 2^(B-2)) >> (B-1); twiddles
floor(0.5 + (2^(B-1) - 1) * cos/sin(phase)); every stage divides by its radix; stores wrap to B bits.
For B = 32 a sum of two scalars wraps before HALF_OF's shift (int32 arithmetic, no promotion), which
the 16-bit build does not do (int promotion)."""
from __future__ import annotations

import math

import numpy as np

from tinycc.core.ops._kissfft import factors


class Fixed:
    def __init__(self, bits: int):
        self.bits, self.max = bits, (1 << (bits - 1)) - 1

    def wrap(self, v: int) -> int:
        h = 1 << (self.bits - 1)
        return ((v + h) & ((1 << self.bits) - 1)) - h

    def sround(self, x: int) -> int:
        return self.wrap((x + (1 << (self.bits - 2))) >> (self.bits - 1))

    def half(self, v: int) -> int:
        """HALF_OF(a + b) given v = a + b (exact): the sum is an int for 16 bits, an int32 for 32."""
        return self.wrap((self.wrap(v) if self.bits >= 32 else v) >> 1)

    def cexp(self, phase: float) -> tuple[int, int]:
        return (int(math.floor(0.5 + self.max * math.cos(phase))), int(math.floor(0.5 + self.max * math.sin(phase))))

    def twiddles(self, n: int, inverse: bool) -> list[tuple[int, int]]:
        return [self.cexp(-(-2 * math.pi * i / n)) if inverse else self.cexp(-2 * math.pi * i / n) for i in range(n)]

    def super_twiddles(self, n: int, inverse: bool) -> list[tuple[int, int]]:
        out = []
        for i in range(n // 2):
            phase = -math.pi * ((i + 1) / n + 0.5)
            out.append(self.cexp(-phase if inverse else phase))
        return out

    def mul(self, a, b):
        return (self.sround(a[0] * b[0] - a[1] * b[1]), self.sround(a[0] * b[1] + a[1] * b[0]))

    def div(self, a, k):
        return self.sround(a[0] * (self.max // k)), self.sround(a[1] * (self.max // k))

    def add(self, a, b):
        return self.wrap(a[0] + b[0]), self.wrap(a[1] + b[1])

    def sub(self, a, b):
        return self.wrap(a[0] - b[0]), self.wrap(a[1] - b[1])

    def bfly(self, F, o, p, fstride, tw, m, inverse):
        w, sr = self.wrap, self.sround
        for u in range(m):
            f = [self.div(F[o + u + j * m], p) for j in range(p)]
            if p == 2:
                t = self.mul(f[1], tw[u * fstride])
                F[o + u + m], F[o + u] = self.sub(f[0], t), self.add(f[0], t)
            elif p == 3:
                epi3 = tw[fstride * m]
                s1, s2 = self.mul(f[1], tw[u * fstride]), self.mul(f[2], tw[2 * u * fstride])
                s3, s0 = self.add(s1, s2), self.sub(s1, s2)
                f1 = w(f[0][0] - (s3[0] >> 1)), w(f[0][1] - (s3[1] >> 1))
                s0 = sr(s0[0] * epi3[1]), sr(s0[1] * epi3[1])
                F[o + u] = self.add(f[0], s3)
                F[o + u + 2 * m] = w(f1[0] + s0[1]), w(f1[1] - s0[0])
                F[o + u + m] = w(f1[0] - s0[1]), w(f1[1] + s0[0])
            elif p == 4:
                s0, s1, s2 = (self.mul(f[j], tw[j * u * fstride]) for j in (1, 2, 3))
                s5, f0 = self.sub(f[0], s1), self.add(f[0], s1)
                s3, s4 = self.add(s0, s2), self.sub(s0, s2)
                F[o + u + 2 * m], F[o + u] = self.sub(f0, s3), self.add(f0, s3)
                a, b = (w(s5[0] + s4[1]), w(s5[1] - s4[0])), (w(s5[0] - s4[1]), w(s5[1] + s4[0]))
                F[o + u + m], F[o + u + 3 * m] = (b, a) if inverse else (a, b)
            else:
                ya, yb = tw[fstride * m], tw[fstride * 2 * m]
                s0 = f[0]
                s1, s2, s3, s4 = (self.mul(f[j], tw[j * u * fstride]) for j in (1, 2, 3, 4))
                s7, s10, s8, s9 = self.add(s1, s4), self.sub(s1, s4), self.add(s2, s3), self.sub(s2, s3)
                F[o + u] = w(s0[0] + s7[0] + s8[0]), w(s0[1] + s7[1] + s8[1])
                s5 = (w(s0[0] + sr(s7[0] * ya[0]) + sr(s8[0] * yb[0])),
                      w(s0[1] + sr(s7[1] * ya[0]) + sr(s8[1] * yb[0])))
                s6 = (w(sr(s10[1] * ya[1]) + sr(s9[1] * yb[1])), w(-sr(s10[0] * ya[1]) - sr(s9[0] * yb[1])))
                F[o + u + m], F[o + u + 4 * m] = self.sub(s5, s6), self.add(s5, s6)
                s11 = (w(s0[0] + sr(s7[0] * yb[0]) + sr(s8[0] * ya[0])),
                       w(s0[1] + sr(s7[1] * yb[0]) + sr(s8[1] * ya[0])))
                s12 = (w(-sr(s10[1] * yb[1]) + sr(s9[1] * ya[1])), w(sr(s10[0] * yb[1]) - sr(s9[0] * ya[1])))
                F[o + u + 2 * m], F[o + u + 3 * m] = self.add(s11, s12), self.sub(s11, s12)

    def work(self, F, o, f, fi, fstride, fac, j, tw, inverse):
        p, m = fac[j], fac[j + 1]
        for q in range(p):
            if m == 1:
                F[o + q] = f[fi + q * fstride]
            else:
                self.work(F, o + q * m, f, fi + q * fstride, fstride * p, fac, j + 2, tw, inverse)
        self.bfly(F, o, p, fstride, tw, m, inverse)

    def rfft(self, x: np.ndarray, fft_length: int) -> np.ndarray:
        n = fft_length // 2
        frame = [0] * fft_length
        frame[:x.size] = [int(v) for v in x]
        f = [(frame[2 * k], frame[2 * k + 1]) for k in range(n)]
        F = [(0, 0)] * n
        self.work(F, 0, f, 0, 1, factors(n), 0, self.twiddles(n, False), False)
        out = [(0, 0)] * (n + 1)
        tdc = self.div(F[0], 2)
        out[0], out[n] = (self.wrap(tdc[0] + tdc[1]), 0), (self.wrap(tdc[0] - tdc[1]), 0)
        stw = self.super_twiddles(n, False)
        for k in range(1, n // 2 + 1):
            fpk = self.div(F[k], 2)
            fpnk = self.div((F[n - k][0], self.wrap(-F[n - k][1])), 2)
            f1k, f2k = self.add(fpk, fpnk), self.sub(fpk, fpnk)
            tw = self.mul(f2k, stw[k - 1])
            out[k] = self.half(f1k[0] + tw[0]), self.half(f1k[1] + tw[1])
            out[n - k] = self.half(f1k[0] - tw[0]), self.half(tw[1] - f1k[1])
        return np.array(out, dtype=np.int64).reshape(-1)

    def irfft(self, x: np.ndarray, fft_length: int) -> np.ndarray:
        n = fft_length // 2
        b = [(int(x[2 * i]), int(x[2 * i + 1])) for i in range(n + 1)]
        tmp = [(0, 0)] * n
        tmp[0] = self.div((self.wrap(b[0][0] + b[n][0]), self.wrap(b[0][0] - b[n][0])), 2)
        stw = self.super_twiddles(n, True)
        for i in range(1, n // 2 + 1):
            fk = self.div(b[i], 2)
            fnkc = self.div((b[n - i][0], self.wrap(-b[n - i][1])), 2)
            fek, t = self.add(fk, fnkc), self.sub(fk, fnkc)
            fok = self.mul(t, stw[i - 1])
            tmp[i] = self.add(fek, fok)
            lo = self.sub(fek, fok)
            tmp[n - i] = lo[0], self.wrap(-lo[1])
        F = [(0, 0)] * n
        self.work(F, 0, tmp, 0, 1, factors(n), 0, self.twiddles(n, True), True)
        return np.array(F, dtype=np.int64).reshape(-1)


Q15, Q31 = Fixed(16), Fixed(32)
