"""Learnable stand-in for Speech Commands MFCCs: 49 frames x 10 coefficients per sample.

Each class has a fixed random spectro-temporal template; a sample is its class template,
shifted in time by a few frames, scaled, plus noise. Real audio needs a real MFCC front end;
this keeps the example self-contained and its accuracy meaningful.
"""
from __future__ import annotations

import numpy as np

CLASSES = ["yes", "no", "up", "down", "_silence_"]


def make(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    templates = np.random.default_rng(1234).normal(0, 1, (len(CLASSES), 49, 10)).astype(np.float32)
    labels = rng.integers(0, len(CLASSES), n)
    shifts = rng.integers(-4, 5, n)
    x = np.stack([np.roll(templates[c], s, axis=0) for c, s in zip(labels, shifts)])
    x = x * rng.uniform(0.7, 1.3, (n, 1, 1)) + rng.normal(0, 0.8, x.shape)
    return x[..., None].astype(np.float32), labels.astype(np.int64)
