"""How far below its input a CMSIS-NN kernel's output may start (core/inplace.Overlap's `gap`),
from the order in which the kernel reads its input and writes its output.

CMSIS-NN's convolution-like kernels write their output forwards, pixel by pixel in raster order,
in groups: a group's output bytes are written after (not interleaved: im2col kernels, which copy
the group's input windows into their scratch first) or while (interleaved: the group's own
windows are still read between its writes) its windows are read. With the output starting `gap`
bytes before the input, no write may land on an input byte still to be read:

    gap >= (end of the group's output) - (lowest input byte read from then on)

for every group. The lowest byte of a window is bounded from below by its first row and column
clipped to the input, which is all the rule needs (a lower bound only makes the gap larger).
Groups are taken at every start pixel (sliding), which covers any alignment of the real groups.
"""
from __future__ import annotations

from typing import Any


def window_lows(s: dict[str, Any]) -> list[int]:
    """Per output pixel (raster order): a lower bound of the input bytes its window reads."""
    lows = []
    for oy in range(s["oh"]):
        row = max(0, oy * s["sh"] - s["pad_t"])
        for ox in range(s["ow"]):
            lows.append((row * s["w"] + max(0, ox * s["sw"] - s["pad_l"])) * s["ci"])
    return lows


def gap(lows: list[int], out_pixel_bytes: int, group: int, interleaved: bool, aligned: bool = False) -> int:
    """The least gap for a kernel writing `group` output pixels at a time (`aligned`: groups start
    at multiples of `group`, else at every pixel), given each pixel's window low bound `lows`."""
    n = len(lows)
    suffix = [0] * (n + 1)
    suffix[n] = 1 << 62                  # no read after the last group
    for q in range(n - 1, -1, -1):
        suffix[q] = min(lows[q], suffix[q + 1])
    need = 0
    for start in range(0, n, group if aligned else 1):
        end = min(n, start + group)
        first_read = start if interleaved else end
        if first_read < n:
            need = max(need, end * out_pixel_bytes - suffix[first_read])
    return need
