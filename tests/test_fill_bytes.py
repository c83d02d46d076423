"""Word-loop fills (backends/c/kernels/common/copy.h tinycc_fill_bytes / tinycc_zero_bytes): the C
library's memset goes a byte at a time on picolibc, so NAME_reset() and the signal library's energy
kernel fill in words. Checked: every length 0..40 at every start offset 0..3 and fill bytes 0, 5,
-1, -128 sets exactly those bytes (the guards around untouched), under ASan+UBSan; NAME_reset()
fills byte-uniform resets (zeros, int8 zero points) with it and stores the others element by
element (a float -0.0 is not a byte fill)."""
from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from tinycc.backends.c.emitter import _fill_byte, read_kernel

CC = os.environ.get("CC", "cc")

HARNESS = r"""
#include <stdint.h>
#include <stdio.h>
#include <string.h>
%s
int main(void) {
    static const int values[4] = {0, 5, -1, -128};
    int8_t buf[64];
    int v, off, n, k, bad = 0;
    for (v = 0; v < 4; ++v)
        for (off = 0; off < 4; ++off)
            for (n = 0; n <= 40; ++n) {
                memset(buf, 0x5A, sizeof buf);
                if (values[v] == 0) tinycc_zero_bytes(buf + 8 + off, n);
                else tinycc_fill_bytes(buf + 8 + off, values[v], n);
                for (k = 0; k < 64; ++k) {
                    const int inside = k >= 8 + off && k < 8 + off + n;
                    if (buf[k] != (inside ? (int8_t)values[v] : (int8_t)0x5A)) ++bad;
                }
            }
    printf("%%d\n", bad);
    return bad != 0;
}
"""


@pytest.mark.skipif(shutil.which(CC) is None, reason="no host C compiler")
def test_fill_sets_exactly_the_bytes(tmp_path):
    src = tmp_path / "fill.c"
    src.write_text(HARNESS % read_kernel("copy.h"))
    exe = tmp_path / "fill"
    subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all", str(src), "-o", str(exe)], check=True, capture_output=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "0", proc.stdout + proc.stderr


def test_reset_fills_only_byte_uniform_values():
    assert _fill_byte(np.zeros(1, np.float32)) == 0
    assert _fill_byte(np.full(1, -7, np.int8)) == -7
    assert _fill_byte(np.full(1, -1, np.int16)) == -1
    assert _fill_byte(np.full(1, -0.0, np.float32)) is None
    assert _fill_byte(np.full(1, 3, np.int32)) is None
