"""Clipping ranges chosen from an activation's histogram: least quantisation MSE, or least KL divergence.

The histogram (`ZeroAlignedHistogram`) spans the tensor's observed [lo, hi] (which contains 0) in
`BINS` equal bins with 0 on a bin edge; exact zeros are counted apart (0 is exactly representable,
so they never cost error). The MSE candidates are the same fraction of each side's extent (97
fractions from 1 down to 1/256), then each side refined alone, twice; the KL candidates are
bin-aligned slices around 0, each side in proportion.

- `mse_range`: the range whose quantisation (the scheme the tensor gets: int8 asymmetric with the
  zero point nudged as `activation_quant` does, or int16 symmetric) has the least expected squared
  error, taking each bin as a uniform density: rounding error inside the representable range
  (the sawtooth integrated exactly), clipping error outside it.
- `kl_range`: TensorRT's entropy calibration adapted to the asymmetric int8 scheme: for every
  candidate slice of at least 256 bins, the reference distribution P (the slice, outliers folded
  into its edge bins) against Q (the slice merged into the 256 int8 levels and spread back over
  its non-empty bins); the slice with the least KL(P || Q) wins. Exact zeros are left out, as
  NVIDIA's pytorch-quantization allows (skip_zeros): zero is exact in int8, and a ReLU's spike at
  0, smeared over the bins of the first level, would otherwise favour the shortest slice. The
  KL histogram has fewer bins when there are few values (`kl_bins`): at 256 it keeps min/max.

Numpy only, deterministic (no sampling), memory bounded by the bins.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinycc.core import fixedpoint as fp

BINS = 2048
LEVELS = 256                 # int8 levels a slice is merged into (KL)
FRACTIONS = np.geomspace(1.0, 1.0 / 256, 97)  # of each side's extent: the candidates of the MSE search
KL_VALUES_PER_BIN = 16       # KL's histogram: at most (nonzero values / 16) bins, at least LEVELS


def kl_bins(nonzero_values: int) -> int:
    """Bins of the KL histogram of a tensor with that many nonzero calibration values: a power of
    two up to BINS with about KL_VALUES_PER_BIN values each; a sparse histogram (a small tensor,
    few samples) makes every slice look alike and KL clip at random. LEVELS bins: no search."""
    bins = LEVELS
    while bins < BINS and bins * 2 * KL_VALUES_PER_BIN <= nonzero_values:
        bins *= 2
    return bins


@dataclass
class ZeroAlignedHistogram:
    """Counts of a tensor's values over [-z0*w, (bins-z0)*w], plus the exact zeros apart."""
    lo: float
    hi: float
    width: float = 0.0
    z0: int = 0                                   # the bin index whose left edge is 0
    bins: int = BINS
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    zeros: int = 0

    def __post_init__(self) -> None:
        n = self.bins
        self.counts = np.zeros(n, dtype=np.float64)
        lo, hi = min(self.lo, 0.0), max(self.hi, 0.0)
        span = hi - lo
        if span <= 0:
            self.width = 0.0
            return
        z0 = int(round(n * -lo / span))
        z0 = min(max(z0, 1 if lo < 0 else 0), n - 1 if hi > 0 else n)
        neg = -lo / z0 if z0 else 0.0
        pos = hi / (n - z0) if z0 < n else 0.0
        self.width, self.z0 = max(neg, pos) * (1 + 1e-7), z0

    def add(self, v: np.ndarray) -> None:
        nonzero = v[v != 0]
        self.zeros += v.size - nonzero.size
        if self.width == 0.0 or nonzero.size == 0:
            return
        idx = np.floor(nonzero.astype(np.float64) / self.width).astype(np.int64) + self.z0
        self.counts += np.bincount(np.clip(idx, 0, self.bins - 1), minlength=self.bins)

    def edges(self) -> np.ndarray:
        return (np.arange(self.bins + 1, dtype=np.float64) - self.z0) * self.width


def _int8_grid(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scale, lowest, highest representable value) of activation_quant(lo, hi), vectorised."""
    scale = ((hi - lo) / 255.0).astype(np.float32).astype(np.float64)
    zp = np.clip(fp.round_half_away(-128 - lo / scale), -128, 127)
    return scale, (-128 - zp) * scale, (127 - zp) * scale


def _int16_grid(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scale, lowest, highest) of activation_quant16: symmetric, zero point 0."""
    scale = (np.maximum(-lo, hi) / 32767.0).astype(np.float32).astype(np.float64)
    return scale, -32768 * scale, 32767 * scale


def _sawtooth_integral(u: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Integral from 0 to u of (t - s*round(t/s))^2 dt (grid through 0, step s)."""
    k = np.floor(u / s + 0.5)
    e = u - k * s
    s3 = s * s * s
    result: np.ndarray = k * (s3 / 12) + (e * e * e) / 3
    return result


def _clip_integral(a: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Integral over [a, b] of (x - r)^2 (zero where b <= a)."""
    hi, lo = np.maximum(b, a) - r, a - r
    result: np.ndarray = (hi * hi * hi - lo * lo * lo) / 3
    return result


def expected_sq_error(h: ZeroAlignedHistogram, lo: np.ndarray, hi: np.ndarray, int16: bool = False) -> np.ndarray:
    """Per candidate range [lo[i], hi[i]]: the summed squared quantisation error of the histogram's values."""
    edges = h.edges()
    keep = h.counts > 0
    a, b, n = edges[:-1][keep][None, :], edges[1:][keep][None, :], h.counts[keep][None, :]
    s, r_min, r_max = (_int16_grid if int16 else _int8_grid)(lo, hi)
    s, r_min, r_max = s[:, None], r_min[:, None], r_max[:, None]
    ia, ib = np.clip(a, r_min, r_max), np.clip(b, r_min, r_max)
    inside = _sawtooth_integral(ib, s) - _sawtooth_integral(ia, s)
    below = _clip_integral(a, np.minimum(b, r_min), r_min)
    above = _clip_integral(np.maximum(a, r_max), b, r_max)
    per_bin = (inside + below + above) / (b - a)
    result: np.ndarray = (per_bin * n).sum(axis=1)
    return result


def _sides(h: ZeroAlignedHistogram) -> tuple[float, float]:
    """The extents of the negative and positive side that hold values (bin edges)."""
    used = np.nonzero(h.counts)[0]
    if used.size == 0:
        return 0.0, 0.0
    return max(0.0, (h.z0 - used[0]) * h.width), max(0.0, (used[-1] + 1 - h.z0) * h.width)


def mse_range(h: ZeroAlignedHistogram, int16: bool = False) -> tuple[float, float]:
    """The [lo, hi] (containing 0, inside the observed range) of least expected squared error."""
    neg, pos = _sides(h)
    if neg == 0.0 and pos == 0.0:
        return h.lo, h.hi
    lo_c, hi_c = -neg * FRACTIONS, pos * FRACTIONS
    best = int(np.argmin(expected_sq_error(h, lo_c, hi_c, int16)))
    lo_b, hi_b = lo_c[best], hi_c[best]
    for _ in range(2):                  # each side alone, the other fixed
        if neg > 0:
            cand = -neg * FRACTIONS
            lo_b = cand[int(np.argmin(expected_sq_error(h, cand, np.full_like(cand, hi_b), int16)))]
        if pos > 0:
            cand = pos * FRACTIONS
            hi_b = cand[int(np.argmin(expected_sq_error(h, np.full_like(cand, lo_b), cand, int16)))]
    return max(float(lo_b), min(h.lo, 0.0)), min(float(hi_b), max(h.hi, 0.0))


def kl_range(h: ZeroAlignedHistogram) -> tuple[float, float]:
    """TensorRT-style entropy calibration (int8): the slice of least KL(P || Q)."""
    used = np.nonzero(h.counts)[0]
    if used.size == 0:
        return h.lo, h.hi
    counts = h.counts           # exact zeros left out (pytorch-quantization's skip_zeros): 0 is exact in
    #                             int8, and a ReLU's spike of zeros spread over a level's bins would
    #                             push KL to the shortest slice whatever the tail
    first, last = int(used[0]), int(used[-1]) + 1
    first, last = min(first, h.z0), max(last, h.z0 + 1 if h.z0 < h.bins else h.z0)
    neg, pos = h.z0 - first, last - h.z0
    total = neg + pos
    if total <= LEVELS:
        return h.lo, h.hi
    best, best_kl = (neg, pos), np.inf
    for length in range(LEVELS, total + 1):
        kn = int(round(length * neg / total))
        kp = length - kn
        start, stop = h.z0 - kn, h.z0 + kp
        sliced = counts[start:stop]
        p = sliced.copy()
        p[0] += counts[:start].sum()
        p[-1] += counts[stop:].sum()
        group_edges = (np.arange(LEVELS) * sliced.size) // LEVELS
        nonzero = (sliced > 0).astype(np.float64)
        group_sum = np.add.reduceat(sliced, group_edges)
        group_n = np.add.reduceat(nonzero, group_edges)
        spread = np.divide(group_sum, group_n, out=np.zeros_like(group_sum), where=group_n > 0)
        q = np.repeat(spread, np.diff(np.append(group_edges, sliced.size))) * nonzero
        kl = _kl(p, q)
        if kl < best_kl:
            best, best_kl = (kn, kp), kl
    kn, kp = best
    return max(-kn * h.width, min(h.lo, 0.0)), min(kp * h.width, max(h.hi, 0.0))


def _kl(p: np.ndarray, q: np.ndarray, eps: float = 1e-4) -> float:
    """KL(P || Q) of two histograms, zero bins smoothed with `eps` as TensorRT (and MXNet) do."""
    ps, qs = _smooth(p, eps), _smooth(q, eps)
    if ps is None or qs is None:
        return float("inf")
    ps, qs = ps / ps.sum(), qs / qs.sum()
    return float(np.sum(ps * np.log(ps / qs)))


def _smooth(d: np.ndarray, eps: float) -> np.ndarray | None:
    """Counts with every empty bin given `eps`, taken evenly from the non-empty ones (MXNet's
    _smooth_distribution); None when nothing is left to take it from."""
    zero = d == 0
    n_zero = int(zero.sum())
    n_nonzero = d.size - n_zero
    if n_nonzero == 0:
        return None
    take = eps * n_zero / n_nonzero
    out: np.ndarray = np.where(zero, eps, d - take)
    return out if np.all(out > 0) else None
