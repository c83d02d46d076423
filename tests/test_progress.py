"""Progress reporting: long steps report through core.progress; the command draws them with rich
on a terminal only, so logs and pipes get no escape codes."""
from __future__ import annotations

import contextlib
import os
import pty
import subprocess
import sys

import numpy as np

from tinycc.core import progress
from tinycc.core.passes.calibrate import calibrate


class Recorder:
    def __init__(self):
        self.events = []

    def track(self, items, description, total):
        self.events.append(("track", description, total))
        for item in items:
            self.events.append(("step", description))
            yield item

    @contextlib.contextmanager
    def phase(self, description):
        self.events.append(("phase", description))
        yield


def test_calibration_reports_each_sample():
    from tests.test_ptq import tiny_float_cnn
    g = tiny_float_cnn()
    shape = g.tensors[g.inputs[0]].shape
    samples = [[np.random.default_rng(k).normal(size=shape).astype(np.float32)] for k in range(5)]
    rec = Recorder()
    with progress.reporting(rec):
        calibrate(g, samples)
    assert rec.events[0] == ("track", "calibrating", 5)
    assert rec.events.count(("step", "calibrating")) == 5
    calibrate(g, samples)                      # no reporter installed: silent, still works


def test_no_escape_codes_when_not_a_terminal():
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compare", "examples/tiny_kws_int8.tflite", "--runtimes",
                           "reference,c", "--samples", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout + proc.stderr and "yes" in proc.stdout


def test_a_terminal_gets_the_progress_display():
    """Under a pseudo-terminal rich draws (and then clears) the spinner line for each runtime."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "tinycc", "compare", "examples/tiny_kws_int8.tflite",
                                  "--runtimes", "reference,c", "--samples", "2"])
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    text = b"".join(chunks).decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0
    assert "running c" in text and "\x1b[" in text
