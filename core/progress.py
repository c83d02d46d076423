"""Progress reporting with no UI dependency.

Long loops in tinycc (calibration samples, TVM kernel builds, QEMU runs) call `track(items,
"what")` or enter `phase("what")`. By default nothing is shown, so library users get no
output; the `tinycc` command installs a rich display with `reporting(...)` (shown only on a
terminal).
"""
from __future__ import annotations

import contextlib

_reporter = None


def track(items, description: str, total: int | None = None):
    """Iterate `items`, advancing the display's bar named `description`."""
    if _reporter is None:
        yield from items
    else:
        yield from _reporter.track(items, description, total)


@contextlib.contextmanager
def phase(description: str):
    """A step of unknown length (a compiler run, an emulator session): a spinner while inside."""
    if _reporter is None:
        yield
    else:
        with _reporter.phase(description):
            yield


@contextlib.contextmanager
def reporting(reporter):
    """Install `reporter` (an object with track() and phase()) for the duration of the block."""
    global _reporter
    saved, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = saved
