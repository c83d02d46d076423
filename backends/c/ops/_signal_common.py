"""Shared by the signal-library emitters: the kernel header and the element count of a tensor."""
from __future__ import annotations

HEADER = "signal.h"


def size(m, name: str) -> int:
    return m.g.tensors[name].size
