"""Progress reporting with no UI dependency.

Long loops in tinycc (calibration samples, TVM kernel builds, QEMU runs) call `track(items,
"what")` or enter `phase("what")`. By default nothing is shown, so library users get no
output; the `tinycc` command installs a rich display with `reporting(...)` (shown only on a
terminal).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_reporter: Any = None      # an object with track() and phase() (the CLI's rich display), or None


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate `items`, advancing the display's bar named `description`."""
    if _reporter is None:
        yield from items
    else:
        yield from _reporter.track(items, description, total)


@contextlib.contextmanager
def phase(description: str) -> Iterator[None]:
    """A step of unknown length (a compiler run, an emulator session): a spinner while inside."""
    if _reporter is None:
        yield
    else:
        with _reporter.phase(description):
            yield


@contextlib.contextmanager
def reporting(reporter: Any) -> Iterator[None]:
    """Install `reporter` (an object with track() and phase()) for the duration of the block."""
    global _reporter
    saved, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = saved
